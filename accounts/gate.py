"""The gate every request passes: load the staff session, then apply the access policy.

Public endpoints pass; everything else needs a live session; a session still in setup reaches
only the setup page; a full session reaches a view only if the view declared a permission the
user holds. Refusals are audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NoReturn

from flask import Flask, abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from accounts.events import audit_denied
from accounts.policy import (
    PUBLIC_ENDPOINTS,
    SETUP_ENDPOINTS,
    Principal,
    can,
    load_principal,
    required_permissions,
)
from accounts.sessions import COOKIE_NAME, Timeouts, load_session
from config.current import settings_of
from db import utcnow
from db.current import database_of


def install_gate(app: Flask) -> None:
    """Register the gate as the first before-request hook of ``app``."""
    settings = settings_of(app)
    timeouts = Timeouts(
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        absolute=dt.timedelta(hours=settings.session_absolute_hours),
    )
    app.before_request(lambda: _gate(app, timeouts))


def _gate(app: Flask, timeouts: Timeouts) -> ResponseReturnValue | None:
    g.staff_session, g.principal = None, None
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # unknown URL: Flask answers 404 without touching the database
    session = database_of(app).session()
    staff_session = load_session(session, request.cookies.get(COOKIE_NAME), utcnow(), timeouts)
    g.staff_session = staff_session
    if staff_session is not None and staff_session.stage == "full":
        g.principal = load_principal(session, staff_session.account)
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if staff_session is None:
        return redirect(url_for("auth.login", next=request.path))
    if staff_session.stage != "full":
        return None if endpoint in SETUP_ENDPOINTS else redirect(url_for("auth.setup"))
    needed = required_permissions(app.view_functions.get(endpoint))
    if needed is None or not any(can(g.principal, p) for p in needed):
        refuse("route", None, status=403, detail={"endpoint": endpoint})
    return None


def current_principal() -> Principal:
    """The logged-in member of staff (only called from views behind the gate)."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        abort(401)
    return principal


def refuse(
    object_type: str,
    object_id: str | None,
    status: int = 404,
    detail: Mapping[str, object] | None = None,
) -> NoReturn:
    """Audit a denied access and answer ``status`` (404 for rows: their existence stays hidden)."""
    audit_denied(object_type, object_id, detail)
    abort(status)
