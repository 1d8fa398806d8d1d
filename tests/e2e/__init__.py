"""Browser scenarios: a real server under gunicorn and Debian's headless Chromium."""
