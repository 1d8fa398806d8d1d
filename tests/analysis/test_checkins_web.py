"""The second reader's pages over HTTP, on both databases: going live takes a second security
administrator; in shadow mode no page of any staff role shows a prediction; live, a psychologist
sees their own schools' low and moderate teachers, sized to their spare capacity, and taking one
opens exactly one outreach (audited)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from accounts.roles import Role
from alerts.models import Outreach
from analysis.model_models import ModelMode, ModelSwitch, RiskModel, RiskPrediction, SwitchStatus
from analysis.switch import current_mode
from census.models import Response, WaveState
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from tests.support.apps import CommittedApp, app_session
from tests.support.factories.census import answers_for, make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import post_form
from tests.support.routes import ANY_STAFF, EXPECTED, route_requests
from tests.support.staff import Staff, login

Login = Callable[..., tuple[FlaskClient, Staff]]
# Probabilities no page prints for any other reason.
ODD = (0.912345, 0.812345, 0.712345, 0.612345)
MODE = "/model/mode"


def _seed(env: CommittedApp, *schools: str) -> dict[str, list[Response]]:
    """One released wave; at each school four teachers with predictions: low, moderate, high,
    low."""
    found: dict[str, list[Response]] = {}
    with app_session(env.app) as session:
        wave = make_wave(session, name="已发布", state=WaveState.RELEASED,
                         released_at=dt.datetime.now(dt.UTC))  # fmt: skip
        battery = list(wave.battery)
        model = RiskModel(file_name="x.skops", digest=secrets.token_hex(32), trained_by="system",
                          record={})  # fmt: skip
        session.add(model)
        session.flush()
        for school in schools:
            place = make_school(session, name=school, district="一区")
            levels = [answers_for(battery), answers_for(battery, phq9=12),
                      answers_for(battery, phq9=17), answers_for(battery)]  # fmt: skip
            found[school] = [make_submitted_response(session, wave, make_teacher(session, place),
                                                     a) for a in levels]  # fmt: skip
            for response, p in zip(found[school], ODD, strict=True):
                session.add(RiskPrediction(model_id=model.id, wave_id=wave.id,
                                           response_id=response.id, pseudonym=response.pseudonym,
                                           probability=p))  # fmt: skip
        session.commit()
    return found


def _go_live(env: CommittedApp, by: uuid.UUID) -> None:
    """Live, as if two security administrators had switched it on (the test above shows how)."""
    with env.session() as session:
        session.add(ModelSwitch(mode=ModelMode.LIVE, status=SwitchStatus.APPROVED,
                                requested_by_id=by, decided_by_id=by,
                                decided_at=dt.datetime.now(dt.UTC)))  # fmt: skip
        session.commit()


def test_going_live_needs_a_second_security_administrator(
    env: CommittedApp, login_as: Login
) -> None:
    first, _ = login_as(Role.SECURITY_ADMIN)
    second, _ = login_as(Role.SECURITY_ADMIN)
    assert post_form(first, "/model/mode", {"mode": "live"}, token_url=MODE).status_code == 303
    with env.session() as session:
        assert current_mode(session) is ModelMode.SHADOW
        pending = session.scalars(select(ModelSwitch)).one()
    assert (
        post_form(first, f"/model/mode/{pending.id}/approve", {}, token_url=MODE).status_code == 303
    )
    with env.session() as session:
        assert current_mode(session) is ModelMode.SHADOW  # the requester cannot approve
    assert (
        post_form(second, f"/model/mode/{pending.id}/approve", {}, token_url=MODE).status_code
        == 303
    )
    with env.session() as session:
        assert current_mode(session) is ModelMode.LIVE
    assert (
        post_form(second, "/model/mode", {"mode": "shadow"}, token_url=MODE).status_code == 303
    )  # one is enough
    with env.session() as session:
        assert current_mode(session) is ModelMode.SHADOW
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("model.switch%"))
            .order_by(AuditEntry.seq)
        ).all()
    assert actions[-3:] == ["model.switch_requested", "model.switch_approved",
                            "model.switch_requested"]  # fmt: skip


def test_shadow_mode_shows_no_prediction_on_any_staff_page(
    env: CommittedApp, web_app: Flask, login_as: Login
) -> None:
    responses = _seed(env, "影子校")["影子校"]
    for role in Role:
        client, _ = login_as(role, school="影子校")
        for rule, method, url in route_requests(web_app):
            allowed = EXPECTED[rule.endpoint]
            if method != "GET" or ("<" in rule.rule and rule.endpoint != "cases.case_page"):
                continue
            if allowed != ANY_STAFF and (not isinstance(allowed, frozenset) or role not in allowed):
                continue
            body = client.get(url).get_data(as_text=True)
            for p in ODD:
                assert str(p)[2:8] not in body, (role, url)
            assert not any(r.pseudonym in body for r in responses), (role, url)
        if role is Role.PSYCHOLOGIST:
            page = client.get("/checkins").get_data(as_text=True)
            assert 'id="checkins-off"' in page and "checkin-" not in page.replace("checkins", "")


def test_live_list_is_scoped_ordered_sized_and_take_opens_one_outreach(
    env: CommittedApp, web_app: Flask, make_staff: Callable[..., Staff]
) -> None:
    seeded = _seed(env, "关心校", "别校")
    mine, elsewhere = seeded["关心校"], seeded["别校"]
    # Not on the school's own staff: a colleague is never listed (the test below).
    staff = make_staff(Role.PSYCHOLOGIST, school="关心校", linked=False)
    client = web_app.test_client()
    assert login(client, staff) == 302
    _go_live(env, staff.account_id)
    page = client.get("/checkins").get_data(as_text=True)
    with env.session() as session:
        predictions = {p.response_id: p.id for p in session.scalars(select(RiskPrediction))}
    listed = [r for r in mine + elsewhere if f'id="checkin-{predictions[r.id]}"' in page]
    # Low and moderate only (not the high), own school only, most likely first.
    assert [r.id for r in listed] == [mine[0].id, mine[1].id, mine[3].id]
    assert page.index(f"checkin-{predictions[mine[0].id]}") < page.index(
        f"checkin-{predictions[mine[1].id]}"
    )
    assert "上限 15" in page and "最多列出 15" in page
    assert str(ODD[0])[2:8] not in page  # the order is shown, never the probability

    target = predictions[mine[3].id]
    assert (
        post_form(client, f"/checkins/{target}/take", {}, token_url="/checkins").status_code == 303
    )
    again = post_form(client, f"/checkins/{target}/take", {}, token_url="/checkins")
    assert again.status_code == 303  # refused: already followed up
    with env.session() as session:
        opened = session.scalar(
            select(func.count()).select_from(Outreach).where(Outreach.response_id == mine[3].id)
        )
        level = session.get(Response, mine[3].id)
        taken = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "model.checkin_taken")
        ).all()
    assert opened == 1 and taken == ["model.checkin_taken"]
    assert level is not None and level.risk_level is RiskLevel.LOW  # nothing lowered or raised
    assert f'id="checkin-{target}"' not in client.get("/checkins").get_data(as_text=True)


def test_a_psychologist_is_never_offered_a_colleague_at_their_own_school(
    env: CommittedApp, web_app: Flask, login_as: Login
) -> None:
    seeded = _seed(env, "本校")
    client, staff = login_as(Role.PSYCHOLOGIST, school="本校")  # a teacher at 本校, serving it
    _go_live(env, staff.account_id)
    with env.session() as session:
        predictions = {p.response_id: p.id for p in session.scalars(select(RiskPrediction))}
    page = client.get("/checkins").get_data(as_text=True)
    assert not [r for r in seeded["本校"] if f'id="checkin-{predictions[r.id]}"' in page]
    colleague = predictions[seeded["本校"][0].id]
    post_form(client, f"/checkins/{colleague}/take", {}, token_url="/checkins")
    with env.session() as session:
        opened = session.scalar(select(func.count()).select_from(Outreach))
    assert opened == 0  # refused, as routing would refuse the case
