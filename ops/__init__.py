"""Running the service: the request cycle, logging, URLs, health check, scheduler, migrations,
retention, backups, and the operator's key and recovery commands."""
