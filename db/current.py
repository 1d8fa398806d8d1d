"""The running app's database and the request's session: installed once by ``create_app``, read
through typed accessors.

Flask keeps what belongs to one app in ``app.extensions`` under string keys; this module owns the
database's key, so that no other module reads it untyped.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session

from db import Database

_KEY = "xinan.db"


def install_database(app: Flask, database: Database) -> None:
    """Make ``database`` the database of ``app``."""
    app.extensions[_KEY] = database


def database_of(app: Flask) -> Database:
    """The database of ``app``, for the hooks and jobs that ``create_app`` registers on it."""
    database: Database = app.extensions[_KEY]
    return database


def current_database() -> Database:
    """The database of the app handling this request or CLI command."""
    return database_of(current_app)


def request_session() -> Session:
    """The session of this request, committed once at its end when the response succeeded
    (``ops/web.py``); services only flush. A CLI command's session, which it commits itself."""
    return current_database().session()
