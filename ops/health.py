"""``GET /healthz``: the database and scheduler state, for load balancers and monitors."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from db.current import current_database
from ops.scheduler import current_scheduler

log = logging.getLogger(__name__)


def make_blueprint() -> Blueprint:
    """The health-check blueprint (public: no login)."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz() -> ResponseReturnValue:
        database_ok = _database_reachable()
        body = {
            "status": "ok" if database_ok else "error",
            "database": "ok" if database_ok else "error",
            "scheduler": current_scheduler().state(),
        }
        return jsonify(body), 200 if database_ok else 503

    return bp


def _database_reachable() -> bool:
    engine = current_database().engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable", extra={"error": type(exc).__name__})
        return False
    return True
