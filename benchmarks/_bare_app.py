"""The framework's ceiling: a bare Flask endpoint, served by the same gunicorn settings as the app.

``python -m benchmarks submit`` divides the app's requests per second by this one's to give
``ratio``: how much of what Flask and gunicorn could serve on this machine the census keeps.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping() -> str:
    """A constant answer: no template, no session, no database."""
    return "ok"
