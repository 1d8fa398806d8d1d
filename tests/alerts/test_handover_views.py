"""Cases given by hand, through the pages: a supervisor's take and reassignment follow the
same-school rule and the cap unless a written reason is given (sealed on the timeline, audited
by category and length only); the district page counts only the district's cases."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.models import GrantStatus, RoleGrant
from accounts.roles import Role, ScopeKind
from alerts.case_models import CaseEvent
from alerts.intake import open_case
from alerts.models import Case
from alerts.routing import RoutingPolicy
from db import Database, utcnow
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from survey.teacher.referral import referral_of
from tests.support.factories.census import make_response
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import csrf_token
from tests.support.staff import Staff

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

Login = Callable[..., tuple[FlaskClient, Staff]]
REASON = "她去年由我长期跟进，信任关系已经建立"
CAP = 15  # open_case_cap of the test settings


def _open(app: Flask, school: str, district: str, holder: Staff | None = None) -> uuid.UUID:
    """An open crisis case about a new teacher at ``school``, held by ``holder`` (or nobody)."""
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        teacher = make_teacher(session, make_school(session, name=school, district=district))
        case = open_case(
            session,
            referral_of(make_response(session, teacher), RiskLevel.CRISIS, []),
            utcnow(),
            routing=ROUTING,
        )
        case.assignee_id = holder.account_id if holder else None
        session.commit()
        case_id = case.id
        database.sessions.remove()
        return case_id


def _case(app: Flask, case_id: uuid.UUID) -> tuple[uuid.UUID | None, list[CaseEvent]]:
    """The case's holder and its timeline (notes opened), read afresh."""
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        session = database.session()
        case = session.get(Case, case_id)
        assert case is not None
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at)
        ).all()
        for event in events:
            _ = event.note  # opened while the session lives
        database.sessions.remove()
        return case.assignee_id, list(events)


def _audits(app: Flask, case_id: uuid.UUID) -> list[AuditEntry]:
    database: Database = app.extensions["xinan.db"]
    with app.app_context():
        stmt = select(AuditEntry).where(
            AuditEntry.object_id == str(case_id), AuditEntry.action.startswith("case.assign")
        )
        entries = list(database.session().scalars(stmt).all())
        database.sessions.remove()
        return entries


def _post(client: FlaskClient, url: str, **data: str) -> str:
    token = csrf_token(client, "/cases")
    response = client.post(url, data={"csrf_token": token, **data}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _assert_override_audited(
    app: Flask, case_id: uuid.UUID, assignee: uuid.UUID, how: str, rules: str, category: str
) -> None:
    """One override entry with the category and the reason's length; the words are sealed."""
    (entry,) = _audits(app, case_id)
    assert entry.action == "case.assign.override"
    assert entry.detail == {"assignee": str(assignee), "how": how, "override": rules,
                            "category": category, "reason_length": len(REASON)}  # fmt: skip
    assert REASON not in json.dumps(entry.detail, ensure_ascii=False)
    holder, events = _case(app, case_id)
    assert holder == assignee
    event = events[-1]
    assert event.action == how and REASON in (event.note or "")
    assert event.note_sealed is not None and REASON.encode() not in event.note_sealed


def test_a_supervisor_at_the_teachers_school_takes_the_case_only_with_a_written_reason(
    web_app: Flask, login_as: Login
) -> None:
    sup, me = login_as(Role.SUPERVISOR, school="接手甲校", district="接手区")
    case_id = _open(web_app, "接手甲校", "接手区")
    form = sup.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'name="override_category"' in form and 'name="override_reason"' in form
    page = _post(sup, f"/cases/{case_id}/claim")
    assert "与该教师同校" in page and "works at the teacher&#39;s school" in page
    assert _case(web_app, case_id)[0] is None and _audits(web_app, case_id) == []
    # A category without a written reason, or a reason without a category, is not enough.
    page = _post(sup, f"/cases/{case_id}/claim", override_category="continuity")
    assert "写明理由" in page and _case(web_app, case_id)[0] is None
    page = _post(sup, f"/cases/{case_id}/claim", override_category="", override_reason=REASON)
    assert _case(web_app, case_id)[0] is None
    page = _post(sup, f"/cases/{case_id}/claim", override_category="continuity",
                 override_reason=REASON)  # fmt: skip
    _assert_override_audited(web_app, case_id, me.account_id, "take", "same_school", "continuity")
    assert REASON in sup.get(f"/cases/{case_id}").get_data(as_text=True)  # on the timeline


def test_a_supervisor_at_the_cap_takes_another_case_only_with_a_written_reason(
    web_app: Flask, login_as: Login
) -> None:
    sup, me = login_as(Role.SUPERVISOR, school="满额丙校", district="满额区")
    for _ in range(CAP):
        _open(web_app, "满额乙校", "满额区", holder=me)
    case_id = _open(web_app, "满额乙校", "满额区")
    page = _post(sup, f"/cases/{case_id}/claim")
    assert "在办个案已达上限" in page and _case(web_app, case_id)[0] is None
    _post(sup, f"/cases/{case_id}/claim", override_category="urgent", override_reason=REASON)
    _assert_override_audited(web_app, case_id, me.account_id, "take", "cap", "urgent")


def test_reassigning_to_a_colleague_at_the_same_school_needs_a_written_reason(
    web_app: Flask, login_as: Login, make_staff: Callable[..., Staff]
) -> None:
    colleague = make_staff(Role.PSYCHOLOGIST, school="分派甲校", district="分派区")
    sup, _ = login_as(Role.SUPERVISOR, school="分派乙校", district="分派区")
    case_id = _open(web_app, "分派甲校", "分派区")
    target = str(colleague.account_id)
    page = _post(sup, f"/cases/{case_id}/assign", assignee=target)
    assert "与该教师同校" in page and _case(web_app, case_id)[0] is None
    _post(sup, f"/cases/{case_id}/assign", assignee=target, override_category="teacher_request",
          override_reason=REASON)  # fmt: skip
    _assert_override_audited(web_app, case_id, colleague.account_id, "reassign", "same_school",
                             "teacher_request")  # fmt: skip


def test_a_supervisor_within_the_rules_takes_the_case_without_a_reason(
    web_app: Flask, login_as: Login
) -> None:
    sup, me = login_as(Role.SUPERVISOR, school="常规乙校", district="常规区")
    case_id = _open(web_app, "常规甲校", "常规区")
    _post(sup, f"/cases/{case_id}/claim")
    (entry,) = _audits(web_app, case_id)
    assert (entry.action, entry.detail) == (
        "case.assign", {"assignee": str(me.account_id), "how": "take"},
    )  # fmt: skip


def _load_cell(page: str, account_id: uuid.UUID) -> str:
    match = re.search(rf'id="load-{account_id}"[^>]*>\s*<td>[^<]*</td>\s*<td>([^<]*)', page)
    assert match, "the psychologist is not on the district page"
    return match.group(1).strip()


def test_the_district_page_counts_only_the_districts_cases(
    web_app: Flask, login_as: Login, make_staff: Callable[..., Staff]
) -> None:
    psy = make_staff(Role.PSYCHOLOGIST, school="负荷甲校", district="负荷东区")
    database: Database = web_app.extensions["xinan.db"]
    with web_app.app_context():  # the psychologist also serves a school of another district
        session = database.session()
        west = make_school(session, name="负荷丁校", district="负荷西区")
        session.add(RoleGrant(account_id=psy.account_id, role=Role.PSYCHOLOGIST,
                              scope_kind=ScopeKind.SCHOOL, school_id=west.id,
                              status=GrantStatus.ACTIVE))  # fmt: skip
        session.commit()
        database.sessions.remove()
    for _ in range(2):
        _open(web_app, "负荷乙校", "负荷东区", holder=psy)
    for _ in range(3):
        _open(web_app, "负荷丁校", "负荷西区", holder=psy)
    east, _ = login_as(Role.SUPERVISOR, school="负荷丙校", district="负荷东区")
    assert _load_cell(east.get("/district").get_data(as_text=True), psy.account_id) == "2"
    west_sup, _ = login_as(Role.SUPERVISOR, school="负荷戊校", district="负荷西区")
    assert _load_cell(west_sup.get("/district").get_data(as_text=True), psy.account_id) == "3"
