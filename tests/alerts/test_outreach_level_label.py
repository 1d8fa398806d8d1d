"""The outreach page labels each outreach with the level it was opened from: a low teacher taken
from the check-in list reads "low", a moderate one "moderate" (both databases, over HTTP)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.roles import Role
from alerts.models import Outreach
from analysis.model_models import RiskPrediction
from tests.analysis.test_checkins_web import _go_live, _seed
from tests.support.apps import CommittedApp
from tests.support.forms import post_form
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]


def test_an_outreach_shows_the_level_it_was_opened_from(env: CommittedApp, login_as: Login) -> None:
    low, moderate = _seed(env, "标签校")["标签校"][0:2]
    # Not on the school's own staff: the outreach list leaves out the psychologist's own school.
    client, staff = login_as(Role.PSYCHOLOGIST, school="标签校", linked=False)
    _go_live(env, staff.account_id)
    with env.session() as session:
        predicted = {p.response_id: p.id for p in session.scalars(select(RiskPrediction))}
    for response in (low, moderate):
        url = f"/checkins/{predicted[response.id]}/take"
        assert post_form(client, url, {}, token_url="/checkins").status_code == 303

    page = client.get("/outreach").get_data(as_text=True)

    with env.session() as session:
        opened = {o.response_id: o.id for o in session.scalars(select(Outreach))}
    shown = {}
    for response_id, outreach_id in opened.items():
        row = re.search(rf'<li class="case-row" id="outreach-{outreach_id}">(.*?)</li>', page, re.S)
        assert row is not None
        badge = re.search(r'<span class="level [^"]*"[^>]*>([^<]*)</span>', row.group(1))
        shown[response_id] = badge.group(1) if badge else None
    assert shown == {low.id: "低 Low", moderate.id: "中度 Moderate"}
