"""Forms as a browser reads them: each form's target and its CSRF token, found by an HTML parser
(whatever the order of the attributes), and the page with its CSRF tokens masked.

Every test that posts a form reads the token here: ``csrf_token(client, url)`` fetches the page
at ``url`` in this client's session; ``post_form`` posts with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CSRF_FIELD = "csrf_token"


@dataclass
class Form:
    """One ``<form>``: its ``action`` (None when it posts to its own page), method and fields."""

    action: str | None
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.tokens: list[str] = []
        self._open: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = Form(named.get("action"), named.get("method", "get").lower())
            self.forms.append(self._open)
        elif tag == "input" and "name" in named:
            if named["name"] == CSRF_FIELD:
                self.tokens.append(named.get("value", ""))
            if self._open is not None:
                self._open.fields.setdefault(named["name"], named.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def _read(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader


def forms_in(html: str) -> list[Form]:
    """Every form of the page, in document order."""
    return _read(html).forms


def csrf_in(html: str) -> str | None:
    """The page's first CSRF token, if it has one."""
    tokens = _read(html).tokens
    return tokens[0] if tokens else None


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """The CSRF token of the form at ``url`` for this client's session."""
    token = csrf_in(client.get(url).get_data(as_text=True))
    assert token, f"no CSRF token on {url}"
    return token


def post_form(
    client: FlaskClient, url: str, data: Mapping[str, object], token_url: str | None = None
) -> TestResponse:
    """POST with this session's CSRF token (read from ``token_url``, default ``url``)."""
    return client.post(url, data={CSRF_FIELD: csrf_token(client, token_url or url), **data})


def form_target(html: str, url: str) -> tuple[str, str]:
    """Where the page's form posts (its action, else the page's own address) and its CSRF
    token: what a browser without JavaScript would use."""
    posting = [form for form in forms_in(html) if form.method == "post"]
    assert posting and posting[0].fields.get(CSRF_FIELD), f"no form on the page at {url}"
    return posting[0].action or url, posting[0].fields[CSRF_FIELD]


def mask_csrf(html: str, mask: str = "CSRF") -> str:
    """The page with every CSRF token's value replaced by ``mask``: what differs between
    sessions by construction, so that two sessions' pages can be compared."""
    for token in set(_read(html).tokens):
        if token:
            html = html.replace(escape(token), mask).replace(token, mask)
    return html
