"""Walking the teacher's flow through the test client: confirm, PIN, consent, pages, submit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from instruments import instruments_by_id
from survey.teacher.flow import page_order
from tests.support.forms import form_target, post_form

if TYPE_CHECKING:
    from tests.support.factories.links import Link  # the factories use this module's answers

PIN = "4826"
# WHO-5 at its best keeps the profile "low"; its lowest options alone would be moderate.
LOW = {f"who5_{i}": 5 for i in range(1, 6)}
MODERATE = {**LOW, "phq9_1": 2, "phq9_2": 2, "phq9_3": 2, "phq9_4": 2, "phq9_5": 2}
CRISIS = {**LOW, "phq9_9": 1}


def phone_digits(phone: str) -> str:
    """The last four digits of a roster phone number."""
    return phone[-4:]


def confirm(client: FlaskClient, token: str, phone: str) -> TestResponse:
    """Give the phone ending in this browser: the gate of every link, before the PIN."""
    return post_form(client, f"/s/{token}/confirm", {"digits": phone_digits(phone)})


def confirmed_browser(app: Flask, link: Link) -> FlaskClient:
    """Another browser, past the phone ending (the gate before the PIN) and nothing more."""
    browser = app.test_client()
    assert confirm(browser, link.token, link.phone).status_code in (200, 303)
    return browser


def start(client: FlaskClient, token: str, phone: str, pin: str = PIN) -> None:
    """Confirm identity, set the PIN and consent, each with the form of the page before."""
    url = f"/s/{token}/confirm"
    html = client.get(url).get_data(as_text=True)
    steps = (
        ({"digits": phone_digits(phone)}, "pin"),
        ({"pin": pin, "repeat": pin}, "consent"),
        ({"decision": "agree"}, "page/1"),
    )
    for fields, answered_with in steps:
        # Each step is answered with the next one's page, which names its own address.
        url, csrf_token = form_target(html, url)
        reply = client.post(url, data={"csrf_token": csrf_token, **fields})
        assert reply.status_code == 200, (url, reply.status_code)
        html = reply.get_data(as_text=True)
        assert f'rel="canonical" href="/s/{token}/{answered_with}"' in html


def page_answers(instrument_id: str, value: int | None = None, **overrides: int) -> dict[str, str]:
    """Form fields answering every item of one instrument with its lowest (or given) option."""
    inst = instruments_by_id()[instrument_id]
    out = {}
    for item in inst.items:
        chosen = value if value is not None else int(min(item.values))
        out[item.id] = str(overrides.get(item.id, chosen))
    return out


def answer_all(
    client: FlaskClient, token: str, battery: list[str], overrides: Mapping[str, int] | None = None
) -> None:
    """Save every page with the lowest options (``overrides`` by item id)."""
    for number, inst_id in enumerate(page_order(battery), start=1):
        data = page_answers(inst_id, **(overrides or {}))
        data = {k: str((overrides or {}).get(k, v)) for k, v in data.items()}
        response = post_form(client, f"/s/{token}/page/{number}", data)
        assert response.status_code == 200, (number, response.status_code)


def submit(client: FlaskClient, token: str, token_url: str | None = None) -> TestResponse:
    """Post the review page's submit form (the CSRF token read from ``token_url``)."""
    return post_form(client, f"/s/{token}/submit", {}, token_url=token_url or f"/s/{token}/review")


def finish(client: FlaskClient, link: Link, overrides: dict[str, int]) -> str:
    """The whole flow with ``overrides`` on the lowest options; the feedback page's HTML."""
    start(client, link.token, link.phone)
    answer_all(client, link.token, link.battery, overrides)
    assert submit(client, link.token).status_code == 303
    return client.get(f"{link.url}/done").get_data(as_text=True)
