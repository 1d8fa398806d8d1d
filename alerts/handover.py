"""Cases given by hand: a psychologist's claim, a supervisor's take or reassignment, an outreach
taken up. Each follows the routing rules (alerts/routing.py): never the teacher themselves, by
default not a colleague at the same school, under the cap of open cases.

A supervisor may go past the same-school rule or the cap, never the first, with a reason: a
category from a fixed list and a written reason. The written reason is sealed on the case's
timeline (it may name people or circumstances); the audit entry holds the category, which rules
were passed by and the reason's length, never its words. A psychologist's claim has no override:
the supervisors decide exceptions.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alerts.assignment import assign
from alerts.case_models import CaseEvent
from alerts.cases import CaseRefused
from alerts.intake import Referral, open_case
from alerts.models import Case, Outreach, OutreachState
from alerts.routing import (
    CAP,
    SAME_SCHOOL,
    Candidate,
    RoutingPolicy,
    load_candidate,
    load_candidates,
    rules_against,
    teacher_of,
)
from census.models import Response
from scoring.levels import RiskLevel

# Why a supervisor gives a case past a rule: the category is audited, the words are sealed.
OVERRIDE_CATEGORIES = {
    "urgent": "紧急，无其他可及人员 Urgent: nobody else can act in time",
    "continuity": "延续已有的关怀关系 Continuity of an existing caring relationship",
    "teacher_request": "教师本人提出 The teacher asked for this person",
    "other": "其他（写明原因） Other (say why)",
}
RULE_WORDS = {
    SAME_SCHOOL: ("与该教师同校", "works at the teacher's school"),
    CAP: ("在办个案已达上限", "already holds the cap of open cases"),
}
MIN_REASON, MAX_REASON = 6, 1000


class OverrideNeeded(CaseRefused):
    """The case can go to this person only past a routing rule, with a reason."""

    def __init__(self, rules: tuple[str, ...]) -> None:
        self.rules = rules
        zh = "；".join(RULE_WORDS[r][0] for r in rules)
        en = " and ".join(RULE_WORDS[r][1] for r in rules)
        super().__init__(
            "override_needed",
            f"此人不能按常规接手该个案：{zh}。如确有必要，请选择理由类别并写明理由后再试。"
            f" This person {en}: to give them the case anyway, choose a reason and write why.",
        )


@dataclass(frozen=True)
class Override:
    """A supervisor's reason to go past the same-school rule or the cap."""

    category: str
    reason: str

    @classmethod
    def parse(cls, category: str, reason: str) -> Override | None:
        """The override a form asked for (None when it asked for none); refused if incomplete."""
        category, reason = category.strip(), reason.strip()[:MAX_REASON]
        if not category and not reason:
            return None
        if category not in OVERRIDE_CATEGORIES or len(reason) < MIN_REASON:
            raise CaseRefused("override_reason")
        return cls(category, reason)

    def note(self, rules: tuple[str, ...]) -> str:
        """What the sealed timeline note says: the rules passed by, the category, the words."""
        passed = "；".join(f"{RULE_WORDS[r][0]} {RULE_WORDS[r][1]}" for r in rules)
        return f"越过规则 Override（{passed}）· {OVERRIDE_CATEGORIES[self.category]}：{self.reason}"


def _holder_rules(
    candidate: Candidate | None, case_pseudonym: str, school_id: int, session: Session,
    policy: RoutingPolicy,
) -> tuple[str, ...]:  # fmt: skip
    if candidate is None:
        raise CaseRefused("ineligible")
    teacher = teacher_of(session, case_pseudonym)
    return rules_against(candidate, teacher.id if teacher else None, school_id, policy)


def _give(
    session: Session,
    case: Case,
    holder: uuid.UUID | None,
    actor_id: uuid.UUID,
    now: dt.datetime,
    how: str,
    rules: tuple[str, ...],
    override: Override | None,
) -> CaseEvent:
    """Assign, or refuse: no rule in the way, or only overridable ones and a reason given."""
    if not rules:
        return assign(session, case, holder, actor_id, now, how=how)
    if set(rules) - {SAME_SCHOOL, CAP}:
        raise CaseRefused("ineligible")  # nobody ever holds a case about themselves
    if override is None:
        raise OverrideNeeded(rules)
    detail = {"override": ":".join(rules), "category": override.category,
              "reason_length": len(override.reason)}  # fmt: skip
    return assign(session, case, holder, actor_id, now, how=how, note=override.note(rules),
                  action="case.assign.override", extra=detail)  # fmt: skip


def claim(
    session: Session,
    case: Case,
    actor_id: uuid.UUID,
    now: dt.datetime,
    *,
    supervisor: bool,
    policy: RoutingPolicy,
    override: Override | None = None,
) -> CaseEvent:
    """Take ``case``: a supervisor takes a case of the district (to work or reveal it) under the
    routing rules, or past the same-school rule or the cap with an override; a psychologist
    claims an unassigned one only if routing would allow them to hold it."""
    if supervisor:
        me = load_candidate(session, actor_id)
        rules = _holder_rules(me, case.pseudonym, case.school_id, session, policy)
        return _give(session, case, actor_id, actor_id, now, "take", rules, override)
    if case.assignee_id is not None:
        raise CaseRefused("taken")
    require_eligible(session, case.pseudonym, case.school_id, actor_id, policy)
    return assign(session, case, actor_id, actor_id, now, how="claim")


def reassign(
    session: Session,
    case: Case,
    actor_id: uuid.UUID,
    target_id: uuid.UUID | None,
    now: dt.datetime,
    policy: RoutingPolicy,
    override: Override | None = None,
) -> CaseEvent:
    """A supervisor gives the case to a psychologist whose scope holds the school, under the
    routing rules or past the same-school rule or the cap with an override; or back to the
    unassigned list."""
    if target_id is None:
        return assign(session, case, None, actor_id, now, how="reassign")
    found = [c for c in load_candidates(session, case.school_id) if c.account_id == target_id]
    rules = _holder_rules(found[0] if found else None, case.pseudonym, case.school_id, session,
                          policy)  # fmt: skip
    return _give(session, case, target_id, actor_id, now, "reassign", rules, override)


def require_eligible(
    session: Session,
    pseudonym: str,
    school_id: int,
    account_id: uuid.UUID,
    policy: RoutingPolicy,
) -> None:
    """Refuse unless routing could give ``account_id`` a case about ``pseudonym`` there."""
    found = [c for c in load_candidates(session, school_id) if c.account_id == account_id]
    if _holder_rules(found[0] if found else None, pseudonym, school_id, session, policy):
        raise CaseRefused("ineligible")


def take_up_outreach(
    session: Session,
    outreach: Outreach,
    actor_id: uuid.UUID,
    now: dt.datetime,
    policy: RoutingPolicy,
) -> Case:
    """A psychologist takes a caring outreach from the list: it becomes a case they hold."""
    if outreach.state is OutreachState.TAKEN_UP or outreach.case_id is not None:
        raise CaseRefused("outreach_taken")
    response = session.get(Response, outreach.response_id)
    if response is None:
        raise LookupError("the outreach's response does not exist")
    require_eligible(session, outreach.pseudonym, outreach.school_id, actor_id, policy)
    # The rule ids that set the level at submission: the psychologist reads why.
    reasons = tuple(json.loads(response.reasons or "[]"))
    referral = Referral(
        response_id=outreach.response_id,
        pseudonym=outreach.pseudonym,
        school_id=outreach.school_id,
        wave_id=outreach.wave_id,
        level=RiskLevel.MODERATE,
        reasons=reasons,
    )
    case = open_case(session, referral, now, routing=policy, assign_to=actor_id)
    outreach.state = OutreachState.TAKEN_UP
    outreach.case_id = case.id
    session.flush()
    return case
