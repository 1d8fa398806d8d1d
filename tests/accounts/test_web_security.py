"""CSRF on every state-changing route, security headers and cookie flags (protection.md 15, 17)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient

from accounts.roles import Role
from accounts.sessions import COOKIE_NAME
from app import create_app
from tests.support.forms import csrf_token
from tests.support.routes import route_requests
from tests.support.staff import Staff, login


def test_every_post_route_needs_this_sessions_csrf_token(
    web_app: Flask, login_as: Callable[..., tuple[FlaskClient, Staff]]
) -> None:
    client, _admin = login_as(Role.SECURITY_ADMIN)
    stranger = web_app.test_client()
    foreign_token = csrf_token(stranger)
    posts = [(rule, url) for rule, method, url in route_requests(web_app) if method == "POST"]
    assert posts, "the app should have state-changing routes"
    for rule, url in posts:
        assert client.post(url).status_code == 400, rule.endpoint
        assert client.post(url, data={"csrf_token": foreign_token}).status_code == 400, (
            rule.endpoint
        )


def test_no_get_route_accepts_a_state_change(web_app: Flask) -> None:
    for rule in web_app.url_map.iter_rules():
        changes_state = rule.endpoint.split(".")[-1] in {
            "logout",
            "add_grant",
            "account_action",
            "decide",
            "revoke",
            "decide_reset",
            "set_contact",
        }
        if changes_state:
            assert "GET" not in (rule.methods or set()), rule.endpoint


def test_security_headers_on_every_kind_of_response(web_app: Flask) -> None:
    client = web_app.test_client()
    for url in ("/healthz", "/login", "/", "/no/such/page", "/static/xinan.css"):
        response = client.get(url)
        response.close()  # static files are streamed from an open file
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp.replace(
            "default-src 'self'", ""
        ), url
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        if not url.startswith("/static/"):
            assert response.headers["Cache-Control"] == "no-store", url
        assert "Strict-Transport-Security" not in response.headers


def test_cookies_are_httponly_samesite_and_secure_over_tls(
    web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    staff = make_staff(Role.AUDITOR)
    settings = replace(web_app.extensions["xinan.settings"], proxy_count=1)
    behind_proxy = create_app(settings)
    try:
        client = behind_proxy.test_client()
        client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
        # Over HTTPS, CSRF protection also checks that form posts come from this site.
        client.environ_base["HTTP_REFERER"] = "https://localhost/login"
        assert login(client, staff) == 302
        home = client.get("/")
        assert home.headers["Strict-Transport-Security"].startswith("max-age=")
        for name in (COOKIE_NAME, "xinan_form"):
            cookie = client.get_cookie(name)
            assert cookie is not None, name
            assert cookie.http_only and cookie.secure and cookie.same_site == "Lax", name
    finally:
        behind_proxy.extensions["xinan.db"].dispose()
