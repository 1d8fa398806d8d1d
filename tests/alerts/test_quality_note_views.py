"""Who sees a response-quality note, over HTTP on committed data: the case's holder and the
district supervisor on the case page, the psychologist who may take an outreach up on the
outreach page; never a psychologist who does not hold the case, the analyst, the system or
security administrator or the auditor, on any page they can open, nor the released report.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.roles import Role
from alerts.door import open_case, open_outreach
from alerts.models import Case, Outreach
from alerts.routing import RoutingPolicy
from census.models import Response
from census.quality import ResponseQuality
from db import utcnow
from reports.service import build_release
from scoring.levels import RiskLevel
from survey.teacher.referral import referral_of
from tests.support.apps import CommittedApp, app_session
from tests.support.factories.releases import NOW, released_wave
from tests.support.staff import Staff, login

NOTE = "答题情况提示：部分作答可能未反映老师的真实感受，请在沟通中确认。"
# Anything that would give a note (or its reasons) away, in either language or as an index name.
MARKERS = (NOTE, "答题情况提示", "may not reflect how the teacher feels", "quality-note",
           "作答过快", "同一选项连续作答", "seconds_per_item", "longstring")  # fmt: skip


@dataclass(frozen=True)
class Scene:
    wave_id: int
    case_id: uuid.UUID
    outreach_id: uuid.UUID
    holder: Staff


@pytest.fixture
def scene(env: CommittedApp, make_staff: Callable[..., Staff]) -> Scene:
    """A released wave (its report frozen); a crisis case held by a psychologist and a moderate
    outreach, both on flagged responses."""
    holder = make_staff(Role.PSYCHOLOGIST, linked=False)
    with app_session(env.app) as session:
        wave = released_wave(session, {("一区", "甲校"): 12})
        build_release(session, wave, NOW, 10, 20)
        careless, moderate = session.scalars(
            select(Response).where(Response.wave_id == wave.id).order_by(Response.id).limit(2)
        ).all()
        open_case(session, referral_of(careless, RiskLevel.CRISIS, ["phq9_item9_any"]), utcnow(),
                  routing=RoutingPolicy())  # fmt: skip
        open_outreach(session, referral_of(moderate, RiskLevel.MODERATE, []), utcnow())
        for response in (careless, moderate):
            session.add(ResponseQuality(response_id=response.id, wave_id=wave.id, flagged=True,
                                        reasons=["longstring", "seconds_per_item"],
                                        sample_size=12))  # fmt: skip
        case = session.scalars(select(Case).where(Case.response_id == careless.id)).one()
        case.assignee_id = holder.account_id
        outreach = session.scalars(select(Outreach).where(Outreach.response_id == moderate.id))
        scene = Scene(wave.id, case.id, outreach.one().id, holder)
        session.commit()
    return scene


def _client(app: Flask, staff: Staff) -> FlaskClient:
    client = app.test_client()
    assert login(client, staff) == 302
    return client


def _shows_note(html: str) -> bool:
    return any(marker in html for marker in MARKERS)


def test_the_holder_sees_the_note_and_its_signs_on_the_case_and_outreach_pages(
    web_app: Flask, scene: Scene
) -> None:
    client = _client(web_app, scene.holder)
    case_page = client.get(f"/cases/{scene.case_id}").get_data(as_text=True)
    assert NOTE in case_page and "作答过快" in case_page and "同一选项连续作答" in case_page
    assert 'id="quality-note"' in case_page
    outreach = client.get("/outreach").get_data(as_text=True)
    assert f'id="quality-note-{scene.outreach_id}"' in outreach and NOTE in outreach


def test_the_district_supervisor_who_works_the_case_sees_it(
    web_app: Flask, scene: Scene, make_staff: Callable[..., Staff]
) -> None:
    client = _client(web_app, make_staff(Role.SUPERVISOR))
    assert NOTE in client.get(f"/cases/{scene.case_id}").get_data(as_text=True)


def test_a_psychologist_in_scope_who_does_not_hold_the_case_does_not(
    web_app: Flask, scene: Scene, make_staff: Callable[..., Staff]
) -> None:
    client = _client(web_app, make_staff(Role.PSYCHOLOGIST, linked=False))
    page = client.get(f"/cases/{scene.case_id}")
    assert page.status_code == 200 and not _shows_note(page.get_data(as_text=True))


# The teacher's pages, the login and enrolment pages and files are not the staff's pages.
SKIPPED = ("teacher", "static", "auth", "enrol", "health")
SAMPLE = {"UUIDConverter": "case", "IntegerConverter": "wave", "AnyConverter": "csv"}


def _every_page(app: Flask, scene: Scene) -> list[str]:
    """Every staff GET route, its ids those of the scene (the case, the wave)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            outside = rule.endpoint.split(".")[0] in SKIPPED and rule.endpoint != "auth.home"
            if "GET" not in (rule.methods or ()) or outside:
                continue
            ids: dict[str, object] = {"case": scene.case_id, "wave": scene.wave_id}
            values: dict[str, object] = {}
            for name, converter in rule._converters.items():
                sample = SAMPLE.get(type(converter).__name__, "x")
                values[name] = ids.get(sample, sample)
            urls.append(url_for(rule.endpoint, **values))  # type: ignore[arg-type]
    return urls


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.SYSTEM_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN]
)
def test_nobody_else_is_shown_a_note_on_any_page_nor_in_the_report(
    web_app: Flask, scene: Scene, make_staff: Callable[..., Staff], role: Role
) -> None:
    client = _client(web_app, make_staff(role))
    pages = _every_page(web_app, scene)
    assert f"/reports/{scene.wave_id}" in pages and f"/cases/{scene.case_id}" in pages
    reached = 0
    for url in pages:
        reply = client.get(url)
        assert not _shows_note(reply.get_data(as_text=True)), (role, url)
        reached += reply.status_code == 200
    assert reached >= 2  # the home page and the inbox at least: the walk was logged in
    if role is Role.ANALYST:  # the released report and its export, seen, without a note
        report = client.get(f"/reports/{scene.wave_id}")
        assert report.status_code == 200 and "2026" in report.get_data(as_text=True)
        assert client.get(f"/reports/{scene.wave_id}/export.csv").status_code == 200
