"""Running the service: logging, errors, health check, scheduler and operator commands."""
