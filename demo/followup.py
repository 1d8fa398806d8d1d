"""Follow-up for the demo's submissions: opened through ``alerts.door`` as a submission opens it,
and, for the released waves, worked to its end by the psychologists it was routed to.

A crisis or high result opens a case, a moderate one offers a caring outreach, in submission
order, exactly as ``survey.teacher.submission`` does. The released waves' follow-up is long over:
their cases were worked through the case state machine (``alerts.cases.apply_step``, as the
case page does) and closed before the wave was released, so their release counts the cases and
their deadlines, and the next wave's capacity forecast learns a real case rate from it.
Over months, cases closing as new ones came, no psychologist ever held many of them at once;
the demo compresses that time, so those cases are routed without the cap.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.cases import apply_step
from alerts.door import Referral, RoutingPolicy, open_case, open_outreach
from alerts.models import Case
from alerts.states import DEFAULT_OPTIONS, Action, Step
from census.models import Wave
from demo.submissions import Stored
from scoring.levels import RiskLevel

# How the released waves' cases ended (weights): most resolved, some in care after a referral,
# a few declined further contact.
OUTCOMES = ("resolved", "in_care", "declined_contact")
WEIGHTS = (6, 3, 1)
REFERRAL = "psychological_clinic"
UNCAPPED = 1_000_000


def open_followup(
    session: Session, wave: Wave, stored: Sequence[Stored], routing: RoutingPolicy
) -> tuple[int, int]:
    """Open the cases and outreach the stored results call for; (cases, outreach) opened."""
    cases = outreach = 0
    for one in sorted(stored, key=lambda s: (s.submission.submitted_at, str(s.response_id))):
        level, submission = one.outcome.level, one.submission
        if level not in (RiskLevel.CRISIS, RiskLevel.HIGH, RiskLevel.MODERATE):
            continue
        referral = Referral(
            response_id=one.response_id, pseudonym=submission.pseudonym,
            school_id=submission.school_id, wave_id=wave.id, level=level,
            reasons=tuple(one.outcome.reasons),
        )  # fmt: skip
        if level is RiskLevel.MODERATE:
            open_outreach(session, referral, submission.submitted_at)
            outreach += 1
        else:
            open_case(session, referral, submission.submitted_at, routing=routing)
            cases += 1
    return cases, outreach


def past_routing(routing: RoutingPolicy) -> RoutingPolicy:
    """The routing of a released wave's cases: the configured one without the cap (see the
    module docstring)."""
    return RoutingPolicy(cap=UNCAPPED, exclude_same_school=routing.exclude_same_school)


def close_cases(session: Session, wave: Wave, seed: int) -> int:
    """Work every assigned case of ``wave`` to its close, each by its assignee: acknowledged
    within the hour (most), first contact within the day (most), closed within four weeks."""
    rng = random.Random(seed)
    closed = 0
    cases = session.scalars(
        select(Case).where(Case.wave_id == wave.id, Case.assignee_id.is_not(None))
        .order_by(Case.opened_at, Case.id)
    ).all()  # fmt: skip
    for case in cases:
        actor, at = case.assignee_id, case.opened_at
        if actor is None:  # not selected: only assigned cases can be worked
            continue
        at += dt.timedelta(minutes=rng.choice((12, 25, 40, 55, 90)))
        apply_step(session, case, actor, Step(Action.ACKNOWLEDGE), at, options=DEFAULT_OPTIONS)
        at += dt.timedelta(hours=rng.choice((2, 4, 6, 20, 30)))
        apply_step(session, case, actor, Step(Action.CONTACT), at, options=DEFAULT_OPTIONS)
        outcome = rng.choices(OUTCOMES, WEIGHTS)[0]
        if outcome == "in_care":
            at += dt.timedelta(days=rng.randint(1, 5))
            refer = Step(Action.REFER, referral=REFERRAL)
            apply_step(session, case, actor, refer, at, options=DEFAULT_OPTIONS)
        at += dt.timedelta(days=rng.randint(5, 21))
        close = Step(Action.CLOSE, outcome=outcome)
        apply_step(session, case, actor, close, at, options=DEFAULT_OPTIONS)
        closed += 1
    return closed
