"""What a case page shows, and to whom: the holder and the district supervisors see the reasons
and the scores over waves (audited as ``answers.view``); others in scope see level, school and
deadline only. Names appear only after a reveal (alerts/views.py)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import StaffAccount
from accounts.policy import Principal, can
from accounts.roles import Permission
from alerts.case_models import CaseEvent
from alerts.charts import HEIGHT, WIDTH, history, lines, series
from alerts.handover import MIN_REASON, OVERRIDE_CATEGORIES
from alerts.models import Case, CaseState
from alerts.quality_note import quality_note
from alerts.queries import case_deadline, district_psychologists, find_case
from alerts.states import CaseOptions, allowed_actions, is_overdue
from census.models import Response
from org.models import School
from privacy.audit.record import record
from scoring import default_policy


@dataclass(frozen=True)
class CaseRef:
    """A case as the access policy sees it (found in scope, so never about the viewer)."""

    school_id: int
    teacher_id: uuid.UUID | None = None


def reason_words(case: Case) -> list[tuple[str, str]]:
    """The rules that opened the case, in Chinese and English."""
    texts = {rule.id: rule.reason for rule in default_policy().rules}
    found = []
    for rule_id in json.loads(case.reasons or "[]"):
        text = texts.get(rule_id)
        found.append((text.get("zh-CN"), text.get("en")) if text else (rule_id, rule_id))
    return found


@dataclass(frozen=True)
class ChangeNote:
    """How one scale changed since the teacher's previous wave, as the submission judged it."""

    scale: str
    direction: str | None  # deterioration, improvement, none; None: not assessed
    threshold: float | None
    sd: float | None
    sd_source: str | None  # wave: the previous wave's own SD; normative: the published one


def change_notes(session: Session, case: Case) -> list[ChangeNote]:
    """The reliable changes judged at the case's submission (``census.earlier_scores``)."""
    response = session.get(Response, case.response_id) if case.response_id else None
    doc = json.loads(response.scores or "{}") if response is not None else {}
    return [
        ChangeNote(
            scale=scale.upper(),
            direction=change.get("direction"),
            threshold=change.get("threshold"),
            sd=change.get("sd"),
            sd_source=change.get("sd_source"),
        )
        for scale, entry in doc.items()
        if (change := entry.get("change"))
    ]


def _timeline(session: Session, case: Case) -> list[tuple[CaseEvent, str | None]]:
    rows = session.execute(
        select(CaseEvent, StaffAccount.username)
        .outerjoin(StaffAccount, StaffAccount.id == CaseEvent.actor_id)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    return [(event, name) for event, name in rows]


def _username(session: Session, account_id: uuid.UUID | None) -> str | None:
    if account_id is None:
        return None
    return session.scalar(select(StaffAccount.username).where(StaffAccount.id == account_id))


def case_context(
    session: Session, case: Case, principal: Principal, now: dt.datetime, options: CaseOptions
) -> dict[str, Any]:
    """Everything the case page template needs, limited to what this viewer may see;
    ``options`` are the configured outcome and referral lists."""
    ref = CaseRef(case.school_id)
    holds = case.assignee_id == principal.account_id
    supervises = can(principal, Permission.CASES_ASSIGN, ref)
    deadline = case_deadline(case)
    context: dict[str, Any] = {
        "case": case,
        "school": session.get(School, case.school_id),
        "deadline": deadline,
        "overdue": is_overdue(deadline, now),
        "holds": holds,
        "supervises": supervises,
        "assignee": _username(session, case.assignee_id),
        "actions": allowed_actions(case.state) if holds else (),
        "options": options,
        "can_reveal": holds and can(principal, Permission.IDENTITY_REVEAL, ref),
        "can_claim": case.state is not CaseState.CLOSED
        and not holds
        and (supervises or (case.assignee_id is None and can(principal, Permission.CASES_WORK))),
        "previous": case.previous_case_id
        and find_case(session, principal, case.previous_case_id, Permission.CASES_READ),
        "identity": None,
        "timeline": [],
        "reasons": [],
        "changes": [],
        "chart": None,
        "quality": None,
        "candidates": district_psychologists(session, principal) if supervises else [],
        "override_categories": OVERRIDE_CATEGORIES if supervises else {},
        "min_reason": MIN_REASON,
    }
    if holds or supervises:
        context.update(_details(session, case, principal))
    return context


def _details(session: Session, case: Case, principal: Principal) -> dict[str, Any]:
    points = history(session, case.pseudonym)
    if points:
        record(
            session, principal.account_id, "answers.view", object_type="case",
            object_id=case.id, detail={"subject": case.pseudonym, "waves": len(points)},
        )  # fmt: skip
    return {
        "timeline": _timeline(session, case),
        "reasons": reason_words(case),
        "changes": change_notes(session, case),
        "quality": quality_note(session, case.response_id),
        "chart": {
            "points": points,
            "lines": lines(points),
            "width": WIDTH,
            "height": HEIGHT,
            "series": series(),
        },
    }
