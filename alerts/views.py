"""The psychologists' and supervisors' pages: my cases, a case, outreach, the district view.

Every row is found through alerts/queries.py (scope_to); a row out of reach is refused with 404
and an ``authz.deny`` entry, so its existence stays hidden. Views parse, call one service, render.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.gate import current_principal, refuse
from accounts.policy import Principal, can, requires
from accounts.roles import Permission
from alerts.case_page import CaseRef, case_context
from alerts.cases import CaseRefused, apply_step, options_from_settings, reveal_identity
from alerts.handover import Override, claim, reassign
from alerts.handover import take_up_outreach as take_up_service
from alerts.models import Case, CaseState
from alerts.quality_note import quality_notes
from alerts.queries import (
    case_deadline,
    find_case,
    find_outreach,
    my_cases,
    outreach_levels,
    outreach_list,
    page_of,
    unassigned_cases,
    workload,
)
from alerts.routing import RoutingPolicy, policy_from_settings
from alerts.states import Action, CaseOptions, IllegalTransition, Step, is_overdue
from config.current import current_settings
from db import utcnow
from db.current import request_session
from org.models import School, Teacher
from scoring.levels import RiskLevel

READ, WORK, ASSIGN = Permission.CASES_READ, Permission.CASES_WORK, Permission.CASES_ASSIGN
STEPS = ",".join(a.value for a in Action)


def make_blueprint() -> Blueprint:
    """Routes under /cases, /outreach and /district."""
    bp = Blueprint("cases", __name__)
    bp.add_url_rule("/cases", view_func=queue)
    bp.add_url_rule("/cases/<uuid:case_id>", view_func=case_page)
    bp.add_url_rule("/cases/<uuid:case_id>/reveal", view_func=reveal, methods=["POST"])
    bp.add_url_rule(
        f"/cases/<uuid:case_id>/step/<any({STEPS}):action>", view_func=step, methods=["POST"]
    )
    bp.add_url_rule("/cases/<uuid:case_id>/claim", view_func=claim_case, methods=["POST"])
    bp.add_url_rule("/cases/<uuid:case_id>/assign", view_func=assign_case, methods=["POST"])
    bp.add_url_rule("/outreach", view_func=outreach)
    bp.add_url_rule("/outreach/<uuid:outreach_id>/take", view_func=take_up, methods=["POST"])
    bp.add_url_rule("/district", view_func=district)
    return bp


def _session() -> Session:
    return request_session()


def _routing() -> RoutingPolicy:
    return policy_from_settings(current_settings())


def _options() -> CaseOptions:
    return options_from_settings(current_settings())


def _page() -> int:
    try:
        return int(request.args.get("page", "1"))
    except ValueError:
        return 0


def _case(case_id: uuid.UUID, permission: Permission = READ) -> Case:
    found = find_case(_session(), current_principal(), case_id, permission)
    if found is None:
        refuse("case", str(case_id))
    return found


def _is_supervisor(principal: Principal, case: Case) -> bool:
    return can(principal, ASSIGN, CaseRef(case.school_id))


@dataclass(frozen=True)
class Row:
    """A case as a list shows it: level, school, deadline and state only."""

    id: uuid.UUID
    level: RiskLevel
    state: CaseState
    school_name: str
    deadline: dt.datetime | None
    overdue: bool


def _rows(cases: list[Case], now: dt.datetime) -> list[Row]:
    ids = sorted({c.school_id for c in cases})
    found = _session().execute(select(School.id, School.name).where(School.id.in_(ids)))
    names: dict[int, str] = {school_id: name for school_id, name in found}
    return [
        Row(c.id, c.level, c.state, names.get(c.school_id, ""), d, is_overdue(d, now))
        for c in cases
        for d in [case_deadline(c)]
    ]


@requires(READ)
def queue() -> ResponseReturnValue:
    """My cases: overdue first, then level and deadline."""
    principal, now = current_principal(), utcnow()
    cases = page_of(my_cases(_session(), principal, now), _page())
    if cases is None:
        refuse("case_page", None)
    return render_template("cases/queue.html", cases=_rows(cases, now), now=now, page=_page())


@requires(READ)
def case_page(case_id: uuid.UUID) -> ResponseReturnValue:
    """One case: timeline, reasons, scores over waves, quick actions, contact log."""
    case = _case(case_id)
    context = case_context(_session(), case, current_principal(), utcnow(), _options())
    return render_template("cases/case.html", **context)


@requires(Permission.IDENTITY_REVEAL)
def reveal(case_id: uuid.UUID) -> ResponseReturnValue:
    """Name and contact for the call, to the person holding the case; audited."""
    case = _case(case_id)
    principal = current_principal()
    try:
        identity = reveal_identity(_session(), case, principal.account_id)
    except CaseRefused:
        refuse("case", str(case_id), status=403, detail={"why": "not_assignee"})
    context = case_context(_session(), case, principal, utcnow(), _options())
    context["identity"] = identity
    page = render_template("cases/case.html", **context)
    return page, 200, {"Cache-Control": "no-store"}


def _step_from_form(action: Action) -> Step:
    next_contact = None
    if action is Action.FOLLOW_UP:
        next_contact = _local_date(request.form.get("next_contact", ""))
    return Step(
        action,
        outcome=request.form.get("outcome") or None,
        referral=request.form.get("referral") or None,
        next_contact_at=next_contact,
    )


def _local_date(text: str) -> dt.datetime | None:
    # A date the psychologist picks means 09:00 that day in the configured time zone.
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    zone = ZoneInfo(current_settings().timezone)
    return dt.datetime.combine(day, dt.time(9), tzinfo=zone).astimezone(dt.UTC)


@requires(WORK, ASSIGN)
def step(case_id: uuid.UUID, action: str) -> ResponseReturnValue:
    """Acknowledge, log a contact or an attempt, plan a follow-up, refer, note or close."""
    case = _case(case_id)
    note = request.form.get("note", "").strip()[:4000] or None
    try:
        apply_step(
            _session(), case, current_principal().account_id, _step_from_form(Action(action)),
            utcnow(), note=note, options=_options(),
        )  # fmt: skip
    except CaseRefused:
        refuse("case", str(case_id), status=403, detail={"why": "not_assignee"})
    except IllegalTransition as refused:
        flash(str(refused), "error")
    return redirect(url_for("cases.case_page", case_id=case_id))


@requires(WORK, ASSIGN)
def claim_case(case_id: uuid.UUID) -> ResponseReturnValue:
    """Take the case: a supervisor takes any of the district's; a psychologist an unassigned one."""
    case = _case(case_id)
    principal = current_principal()
    supervisor = _is_supervisor(principal, case)
    if not supervisor and not can(principal, WORK):
        refuse("case", str(case_id), status=403)
    try:
        override = _override() if supervisor else None
        claim(_session(), case, principal.account_id, utcnow(), supervisor=supervisor,
              policy=_routing(), override=override)  # fmt: skip
    except CaseRefused as refused:
        flash(str(refused), "error")
    return redirect(url_for("cases.case_page", case_id=case_id))


def _override() -> Override | None:
    """The supervisor's reason to go past the same-school rule or the cap, if the form has one."""
    form = request.form
    return Override.parse(form.get("override_category", ""), form.get("override_reason", ""))


@requires(ASSIGN)
def assign_case(case_id: uuid.UUID) -> ResponseReturnValue:
    """A supervisor gives the case to an eligible psychologist, or back to the unassigned list."""
    case = _case(case_id, ASSIGN)
    try:
        raw = request.form.get("assignee", "")
        target = uuid.UUID(raw) if raw else None
    except ValueError:
        target = uuid.UUID(int=0)
    try:
        reassign(_session(), case, current_principal().account_id, target, utcnow(),
                 _routing(), override=_override())  # fmt: skip
    except CaseRefused as refused:
        flash(str(refused), "error")
    return redirect((request.form.get("back") == "district" and url_for("cases.district"))
                    or url_for("cases.case_page", case_id=case_id))  # fmt: skip


def _home_school(principal: Principal) -> int | None:
    if principal.teacher_id is None:
        return None
    teacher = _session().get(Teacher, principal.teacher_id)
    return teacher.school_id if teacher is not None else None


@requires(WORK)
def outreach() -> ResponseReturnValue:
    """Caring outreach in my schools that a psychologist may take up."""
    principal = current_principal()
    items = outreach_list(_session(), principal, _home_school(principal), _routing())
    shown = page_of(items, _page())
    if shown is None:
        refuse("outreach_page", None)
    notes = quality_notes(_session(), [item.response_id for item in shown])
    levels = outreach_levels(_session(), shown)
    return render_template("cases/outreach.html", items=shown, page=_page(), total=len(items),
                           notes=notes, levels=levels)  # fmt: skip


@requires(WORK)
def take_up(outreach_id: uuid.UUID) -> ResponseReturnValue:
    """Take an outreach up: it becomes a case I hold."""
    found = find_outreach(_session(), current_principal(), outreach_id)
    if found is None:
        refuse("outreach", str(outreach_id))
    try:
        case = take_up_service(
            _session(), found, current_principal().account_id, utcnow(), _routing()
        )
    except CaseRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("cases.outreach"))
    return redirect(url_for("cases.case_page", case_id=case.id))


@requires(ASSIGN)
def district() -> ResponseReturnValue:
    """The supervisor's view: workload against the cap, overdue counts, the unassigned list."""
    principal, now = current_principal(), utcnow()
    cap = current_settings().open_case_cap
    loads = workload(_session(), principal, now, cap)
    waiting = page_of(unassigned_cases(_session(), principal, now), _page())
    if waiting is None:
        refuse("case_page", None)
    context: dict[str, Any] = {
        "loads": loads, "waiting": _rows(waiting, now), "now": now, "page": _page(),
    }  # fmt: skip
    return render_template("cases/district.html", **context)
