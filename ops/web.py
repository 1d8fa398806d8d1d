"""What every request gets: one commit at its end, security headers, an access log, error pages."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from ops.logs import redact_path

access_log = logging.getLogger("xinan.access")
log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def install_request_cycle(app: Flask) -> None:
    """Register the per-request hooks and the error handlers on ``app``."""
    database = app.extensions["xinan.db"]

    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        session = database.session()
        # The one place a request's work is committed: only when it succeeded.
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
        response.headers.update(SECURITY_HEADERS)
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
