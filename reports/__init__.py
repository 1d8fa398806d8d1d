"""Bureau reports: frozen, disclosure-controlled aggregates of a released wave, their pages and
their CSV and XLSX exports."""
