"""What every request gets: one commit at its end, security headers, an access log, error pages."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from flask import Flask, Response, g, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from config.settings import Settings
from db.current import database_of
from ops.logs import redact_path
from ops.urls import refuse_unclean_url

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer  # Flask's own dependency

access_log = logging.getLogger("xinan.access")
log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    # Same-origin: Flask-WTF checks the Referer of HTTPS form posts; other sites get nothing.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def configure_web(app: Flask, settings: Settings, secret_key: bytes) -> None:
    """Flask settings, CSRF protection on every state-changing request, and cookie flags."""
    app.config.update(
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        MAX_FORM_PARTS=200,
        SECRET_KEY=secret_key,
        SESSION_COOKIE_NAME="xinan_form",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session cookie
    )
    app.session_interface = TlsAwareCookieSessions()
    if settings.proxy_count:
        # Behind a TLS-terminating proxy, learn the scheme (Secure cookies, HSTS) from it.
        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    CSRFProtect(app)


class TlsAwareCookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie (it holds only the CSRF token and flashes), Secure over TLS."""

    def __init__(self) -> None:
        self._signers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds the serializer afresh for every request; it depends only on the keys.
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._signers:
            self._signers[keys] = super().get_signing_serializer(app)
        return self._signers[keys]


def install_request_cycle(app: Flask) -> None:
    """Register the per-request hooks and the error handlers on ``app``."""
    database = database_of(app)

    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    # Before the gate and every view: a URL with a control character or a bad escape is a 400.
    app.before_request(refuse_unclean_url)

    @app.after_request
    def finish(response: Response) -> Response:
        session = database.session()
        # What the view has not committed itself is committed here, only when it succeeded.
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
        response.headers.update(SECURITY_HEADERS)
        if request.endpoint != "static":
            # Pages may show personal data: never keep them in a browser or proxy cache.
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        _log_access(response.status_code)
        return response

    @app.teardown_request
    def release_session(_exc: BaseException | None) -> None:
        database.sessions.remove()

    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _internal_error)


def _log_access(status: int) -> None:
    started = g.get("started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "path": redact_path(request.path),
            "status": status,
            "ms": duration,
        },
    )


def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    return _error_page(code), code


def _internal_error(error: InternalServerError) -> ResponseReturnValue:
    original = error.original_exception
    if isinstance(original, (OperationalError, DBAPIError)):
        log.error("database unavailable", extra={"error": type(original).__name__})
        return _error_page(503), 503
    log.error("unhandled error", extra={"error": type(original).__name__ if original else "?"})
    return _error_page(500), 500


def _error_page(code: int) -> Response:
    zh, en = ERROR_TEXT.get(code, ERROR_TEXT[500])
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=en, status=code)
    return Response(render_template("error.html", code=code, message_zh=zh, message_en=en))


ERROR_TEXT = {
    400: ("请求无法处理，请检查后重试。", "The request could not be processed."),
    403: ("您没有访问此页面的权限。", "You do not have access to this page."),
    404: ("页面不存在。", "Page not found."),
    405: ("不支持此操作。", "This method is not allowed here."),
    413: ("提交的内容过大。", "The request is too large."),
    429: ("尝试次数过多，请稍后再试。", "Too many attempts; please wait a moment."),
    500: ("系统出现问题，我们正在处理。", "Something went wrong on our side."),
    503: (
        "系统暂时无法使用，您已提交的内容不会丢失，请稍后再试。",
        "The service is temporarily unavailable. Please try again shortly.",
    ),
}
