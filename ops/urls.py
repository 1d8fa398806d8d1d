"""Which URLs the app takes, and where a ``next`` parameter may send the browser.

A request whose path or query holds a control character, or percent-encoding that is malformed
or does not decode to UTF-8, is refused with 400 before the gate or any view sees it: nothing
downstream (redirects, headers, logs, the database) has to cope with such text.

A ``next`` parameter is followed only when it names a GET route of this app: a path, with no
scheme, host, backslash, dot segment or control character, before or after percent-decoding.
Browsers drop tabs and newlines from a ``Location`` (``/\\t/evil.example`` becomes
``//evil.example``, another site), so checking the text as written is not enough.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from flask import abort, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

HOME = "/"
MAX_TARGET = 512  # longer than any path of this app with its query
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc: C0, DEL and C1
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def refuse_unclean_url() -> None:
    """Before every request: 400 for a control character or bad percent-encoding in the URL."""
    environ = request.environ
    # PEP 3333 strings carry bytes as latin-1. PATH_INFO arrives percent-decoded, and servers
    # replace bytes that are not UTF-8 there; the raw URI (gunicorn, Werkzeug) still has them.
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    parts = (raw_uri, environ.get("QUERY_STRING", ""))
    try:
        decoded = [_percent_decoded(part) for part in parts]
        decoded.append(environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8"))
    except (UnicodeError, ValueError):
        abort(400)
    if any(_CONTROL.search(text) for text in decoded):
        abort(400)


def _percent_decoded(wsgi_text: str) -> str:
    if _BAD_PERCENT.search(wsgi_text):
        raise ValueError("a malformed percent-escape")
    return unquote_to_bytes(wsgi_text.encode("latin-1")).decode("utf-8")


def local_target(target: str | None) -> str:
    """``target`` when it names a GET route of this app, else the home page (``/``)."""
    if target and len(target) <= MAX_TARGET and _names_a_route(target):
        return target
    return HOME


def _names_a_route(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//"):
        return False
    try:
        decoded = unquote(target, errors="strict")
        parts = urlsplit(target)  # raises ValueError on some malformed hosts
    except ValueError:  # UnicodeDecodeError included
        return False
    if _BAD_PERCENT.search(target) or _CONTROL.search(decoded) or "\\" in decoded:
        return False
    if parts.scheme or parts.netloc or parts.fragment:
        return False
    path = unquote(parts.path)
    if path.startswith("//") or any(s in (".", "..") for s in path.split("/")):
        return False
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        return False
    try:
        adapter.match(path, method="GET")
    except (HTTPException, RoutingException):  # not found, not a GET route, or a redirect
        return False
    return True
