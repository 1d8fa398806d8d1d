"""Submitting the census in one transaction: validate, score, seal, open the follow-up, audit.

Exactly one submission per invitation: a replay of a submitted form returns the stored receipt
and writes nothing. The draft is read, checked and scored before the write lock is taken (on
SQLite one lock serves every teacher); the writes then hold only if the draft's version is still
the one read. A concurrent duplicate, or any other change since the read, is refused there, the
savepoint is rolled back, and the stored receipt is returned (or the teacher is asked to retry).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alerts.door import RoutingPolicy, open_case, open_outreach
from census.earlier_scores import Earlier, change_entry, earlier_scores, previous_waves
from census.models import Invitation, InvitationStatus, Response
from db import begin_for_write
from instruments import Instrument, instruments_by_id
from privacy.audit.record import record
from scoring import BatteryResult, flag_names, level_name, score_battery
from scoring.levels import RiskLevel
from survey.teacher.drafts import (
    ensure_answerable,
    ensure_wave_open,
    response_of,
    rule_ids,
    stored_answers,
)
from survey.teacher.flow import FlowError, compiled_battery, page_instruments
from survey.teacher.forms import check_answers, missing_items
from survey.teacher.link import Draft
from survey.teacher.referral import referral_of

# No 0/O, 1/I/L: a receipt read aloud over the phone or copied by hand stays unambiguous.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_GROUPS = 3


class Incomplete(FlowError):
    """Some items are unanswered; ``gaps`` lists them by page."""

    status = 400
    reason = "incomplete"

    def __init__(self, gaps: list[tuple[int, Instrument, list[int]]]) -> None:
        super().__init__("incomplete")
        self.gaps = gaps


class Conflict(FlowError):
    """A concurrent write won and left no submission behind: the teacher may simply retry."""

    status = 409
    reason = "conflict"


@dataclass(frozen=True)
class Submitted:
    """The receipt, and whether this request only replayed an earlier submission."""

    receipt: str
    replayed: bool


def new_receipt() -> str:
    """A short receipt such as ``K7QM-3XPA-9RTW`` (about 59 bits)."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4 * RECEIPT_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def submit(
    session: Session,
    invitation: Invitation,
    battery: tuple[str, ...],
    now: dt.datetime,
    read: Draft[Response] | None = None,
    *,
    routing: RoutingPolicy,
) -> Submitted:
    """Submit the invitation's draft of the wave's ``battery`` once; a replay returns the same
    receipt. ``read`` is the draft as the caller read it with the invitation, in one statement
    (read here if not given); a case the answers call for is routed under ``routing``."""
    replay = _replayed(session, invitation)
    if replay is not None:
        return replay
    ensure_answerable(invitation)
    response = read.response if read is not None else response_of(session, invitation)
    if response is not None and response.receipt is not None:
        # Submitted since the invitation was read (on PostgreSQL two statements may see two
        # moments): this is a replay, and the version it carries must not be written over.
        return Submitted(receipt=response.receipt, replayed=True)
    instruments = page_instruments(battery)
    answers = stored_answers(response)
    check_answers(answers, instruments)
    gaps = missing_items(answers, instruments)
    if response is None or gaps:
        raise Incomplete(gaps)
    # Last time's scores, for reliable change: read, like the draft, before the write lock.
    earlier = earlier_scores(
        session, response.pseudonym, invitation.wave_id, compiled_battery(tuple(battery))
    )
    outcome = Outcome.of(score(battery, answers, earlier), earlier)
    begin_for_write(session)
    ensure_wave_open(session, invitation.wave_id, now)  # it may have closed meanwhile
    try:
        with session.begin_nested():
            receipt = _store(session, invitation, response, outcome, now, routing)
    except (IntegrityError, StaleDataError):
        session.expire_all()
        replay = _replayed(session, invitation)
        if replay is None:
            raise Conflict() from None
        return replay
    return Submitted(receipt=receipt, replayed=False)


def _replayed(session: Session, invitation: Invitation) -> Submitted | None:
    if invitation.status is not InvitationStatus.SUBMITTED:
        return None
    response = response_of(session, invitation)
    if response is None or response.receipt is None:
        return None
    return Submitted(receipt=response.receipt, replayed=True)


def score(
    battery: Sequence[str], answers: dict[str, int], earlier: Mapping[str, Earlier] | None = None
) -> BatteryResult:
    """Score one teacher's complete answers in the wave's battery (column) order, judging
    reliable change against ``earlier`` (the teacher's last time, per instrument)."""
    known = instruments_by_id()
    row = [answers.get(item.id, math.nan) for i in battery for item in known[i].items]
    return score_battery(
        compiled_battery(tuple(battery)),
        np.array([row], dtype=np.float64),
        previous=previous_waves(earlier or {}),
    )


@dataclass(frozen=True)
class Outcome:
    """What the scoring engine found, ready to store: the level, the rule ids that set it, and
    the scores document (JSON text)."""

    level: RiskLevel | None
    reasons: list[str]
    scores_json: str

    @classmethod
    def of(cls, result: BatteryResult, earlier: Mapping[str, Earlier] | None = None) -> Outcome:
        """The outcome of one teacher's scored battery (``earlier``: what it was judged
        against, recorded in the scores document)."""
        return cls(
            level=RiskLevel.from_code(result.level[0]),
            reasons=rule_ids(int(result.reasons[0]), result.policy),
            scores_json=json.dumps(scores_document(result, earlier), sort_keys=True),
        )


def _store(
    session: Session,
    invitation: Invitation,
    response: Response,
    outcome: Outcome,
    now: dt.datetime,
    routing: RoutingPolicy,
) -> str:
    level = outcome.level
    response.scores = outcome.scores_json
    response.reasons = json.dumps(outcome.reasons)
    response.risk_level = level
    response.submitted_at = now
    response.receipt = new_receipt()
    invitation.status = InvitationStatus.SUBMITTED
    invitation.submitted_at = now
    # The draft's version check (against the version read) and the unique receipt fail here,
    # before anything else is written.
    session.flush()
    if level in (RiskLevel.CRISIS, RiskLevel.HIGH):
        open_case(session, referral_of(response, level, outcome.reasons), now, routing=routing)
    elif level is RiskLevel.MODERATE:
        open_outreach(session, referral_of(response, level, outcome.reasons), now)
    record(
        session,
        response.pseudonym,
        "survey.submit",
        object_type="response",
        object_id=response.id,
        detail={"wave": invitation.wave_id},
    )
    return response.receipt


def scores_document(
    result: BatteryResult, earlier: Mapping[str, Earlier] | None = None
) -> dict[str, Any]:
    """Per instrument: scores, band codes, flag names and level, as JSON-ready values; and,
    where ``earlier`` holds the teacher's last time, the change since (``change_entry``)."""
    doc: dict[str, Any] = {}
    for inst_id, res in result.instruments.items():
        scores = {}
        for name, values in res.scores.items():
            value = float(values[0])
            scores[name] = None if math.isnan(value) else round(value, 4)
        names = flag_names(res.instrument)
        doc[inst_id] = {
            "scores": scores,
            "bands": {name: res.band(name, 0) for name in res.bands},
            "flags": [n for bit, n in enumerate(names) if int(res.flags[0]) >> bit & 1],
            "level": level_name(int(res.level[0])),
        }
        before = (earlier or {}).get(inst_id)
        setting = result.policy.reliable_change(inst_id)
        if before is not None and setting is not None:
            doc[inst_id]["change"] = change_entry(before, setting, doc[inst_id]["flags"])
    return doc
