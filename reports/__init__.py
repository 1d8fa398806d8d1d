"""Bureau reports: frozen, disclosure-controlled aggregates of a released wave."""
