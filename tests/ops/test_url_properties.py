"""Property: whatever text lands in a path segment or a query parameter of any route, the answer
is never a 5xx nor a redirect off this site; a control character or a malformed or non-UTF-8
escape is the app's 400 page, in the teacher's language on the teacher's pages (protection.md
tests 7 and 9, issue 15).

Every rule of the URL map is tried, with a real teacher link for ``<token>``, by an anonymous
browser, a member of staff holding every role, and a teacher who chose English.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from db import Database
from tests.support.factories.links import make_link
from tests.support.forms import csrf_token
from tests.support.routes import route_urls
from tests.support.staff import Staff, login
from tests.support.teacher import start

# Escapes no URL may carry: a control character (C0, DEL, C1), a "%" without two hex digits,
# bytes that are not UTF-8 (a lone byte, a cut sequence, an overlong "/", a surrogate).
CONTROL_ESCAPES = [f"%{code:02X}" for code in (*range(0x20), 0x7F)] + [
    f"%C2%{code:02X}" for code in range(0x80, 0xA0)
]
MALFORMED_ESCAPES = ["%", "%2", "%zz", "%G0", "%%", "%FF", "%C3", "%E2%82", "%C0%AF", "%ED%A0%80"]
BAD_PIECES = st.sampled_from(CONTROL_ESCAPES + MALFORMED_ESCAPES)
# Anything else, escaped as a browser would: it may not match a route, but it is no 5xx.
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.sampled_from(["//evil.example", "//[evil", "/\\evil", "https://evil.example/", "/../"]),
)
PLACES = st.sampled_from(["segment_end", "segment", "next", "page", "key"])
LANGUAGE_SWITCHES = {"/lang/en": "en", "/lang/zh-CN": "zh-CN"}
# Each route's URL and method; each persona's browser and CSRF token; each one's language.
Personas = tuple[list[tuple[str, str]], dict[str, tuple[FlaskClient, str]], dict[str, str]]


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


def _place(url: str, piece: str, place: str, segment: int) -> str:
    """``url`` with ``piece`` (already escaped) at the end of a path segment, as a whole path
    segment, or in the query as ``next``, as ``page``, or as a parameter's name."""
    path, _, query = url.partition("?")
    segments = path.split("/")
    index = 1 + segment % max(len(segments) - 1, 1)
    if place in ("segment_end", "segment"):
        segments[index] = (segments[index] if place == "segment_end" else "") + piece
        return "/".join(segments) + (f"?{query}" if query else "")
    parameter = {"next": f"next={piece}", "page": f"page={piece}", "key": f"{piece}=1"}[place]
    return f"{path}?{query + '&' if query else ''}{parameter}"


@pytest.fixture
def personas(web_app: Flask, make_staff: Callable[..., Staff]) -> Personas:
    """Every route's URL with a real link, and the browsers that ask (with their CSRF tokens and
    the language each has chosen)."""
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        link = make_link(session)
        session.commit()
        database.sessions.remove()
    staff = web_app.test_client()
    assert login(staff, make_staff(*Role)) == 302
    teacher = web_app.test_client()
    start(teacher, link.token, link.phone)
    assert teacher.get("/lang/en?next=/").status_code == 302
    clients = {"anonymous": web_app.test_client(), "staff": staff, "teacher": teacher}
    urls = [(rule.endpoint, url) for rule, url in route_urls(web_app, [link.token])]
    methods = {rule.endpoint: rule.methods or set() for rule in web_app.url_map.iter_rules()}
    routes = [(url, "GET" if "GET" in methods[endpoint] else "POST") for endpoint, url in urls]
    tokens = {name: (c, csrf_token(c, "/login")) for name, c in clients.items()}
    return routes, tokens, {"anonymous": "zh-CN", "staff": "zh-CN", "teacher": "en"}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_url_at_any_route_gets_a_5xx_and_a_bad_one_gets_the_400_page(
    personas: Personas,
    data: st.DataObject,
) -> None:
    routes, clients, languages = personas
    url, method = data.draw(st.sampled_from(routes), label="route")
    name = data.draw(st.sampled_from(sorted(clients)), label="persona")
    bad = data.draw(st.booleans(), label="bad")
    raw = data.draw(BAD_PIECES if bad else TEXT, label="piece")
    piece = raw if bad else quote(raw, safe="")
    place, segment = data.draw(PLACES, label="place"), data.draw(st.integers(0, 9))
    target = _place(url, piece, place, segment)
    client, token = clients[name]
    # Clean text may reach a view: the staff's session is kept (no logging out) for what follows.
    form = {"csrf_token": token} if bad or "/logout" not in target else None
    response = client.open(target, method=method, data=form)
    body = response.get_data().decode("utf-8", "replace")  # some routes send files
    response.close()  # a static file is streamed from an open file
    assert response.status_code < 500, (name, method, target, response.status_code)
    # Werkzeug's own redirects (a doubled slash merged) name the host asked; ours are paths.
    location = response.headers.get("Location", "/")
    assert urlsplit(location).netloc in ("", response.request.host), (target, location)
    assert not location.startswith("//") and "\\" not in location, (target, location)
    assert not _has_control(location), (target, location)
    if response.status_code == 302 and urlsplit(target).path in LANGUAGE_SWITCHES:
        languages[name] = LANGUAGE_SWITCHES[urlsplit(target).path]
    if not (bad or _has_control(raw)):
        return
    assert response.status_code == 400, (name, method, target, response.status_code)
    if 'id="problem"' in body:  # the teacher's page, in the language this browser chose
        english = languages[name] == "en"
        assert f'<html lang="{languages[name]}">' in body
        assert ("This request could not be processed" if english else "这个请求无法处理") in body
    else:  # the staff's page, in both of their languages
        assert "请求无法处理" in body and "The request could not be processed." in body
