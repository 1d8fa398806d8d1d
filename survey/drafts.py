"""Saving one page of answers as a sealed draft, and acting on the safety item at once.

Each page save replaces that page's answers in the response's sealed JSON and records how far
the teacher got. When the saved page is PHQ-9 and item 9 is endorsed, the crisis case opens in
the same transaction — before, and whether or not, the teacher ever submits.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import Session

from alerts.intake import case_for, open_case
from alerts.models import Case
from instruments import Instrument
from scoring import level_name, score_battery
from scoring.policy import RiskPolicy
from survey.flow import (
    AlreadySubmitted,
    FlowError,
    WaveView,
    compiled_battery,
    page_instruments,
)
from survey.models import Invitation, InvitationStatus, Response, RiskLevel, Wave


class NoSuchPage(FlowError):
    """A page number outside the battery."""

    status = 404
    reason = "page"


@dataclass(frozen=True)
class PageSaved:
    """The saved draft and whether this save called for a crisis case (one is open now)."""

    response: Response
    crisis: bool


def response_of(session: Session, invitation: Invitation) -> Response | None:
    """The invitation's response (draft or submitted), if any page was saved."""
    return session.scalars(_RESPONSE, {"invitation_id": invitation.id}).one_or_none()


def stored_answers(response: Response | None) -> dict[str, int]:
    """The draft's answers by item id (empty when nothing was saved)."""
    if response is None:
        return {}
    raw = response.answers
    return dict(json.loads(raw)) if raw else {}


_RESPONSE = select(Response).where(Response.invitation_id == bindparam("invitation_id"))
_WITH_CRISIS = select(
    Response, exists().where(Case.response_id == Response.id, Case.level == RiskLevel.CRISIS)
).where(Response.invitation_id == bindparam("invitation_id"))


def response_and_crisis(session: Session, invitation: Invitation) -> tuple[Response | None, bool]:
    """The invitation's response and whether a crisis case is open for it, in one statement
    (what every answering page needs: the draft, and whether the help lines come first)."""
    row = session.execute(_WITH_CRISIS, {"invitation_id": invitation.id}).one_or_none()
    return (row[0], bool(row[1])) if row is not None else (None, False)


def has_crisis_case(session: Session, response: Response | None) -> bool:
    """Whether a crisis case is open for this response (the help lines then lead every page)."""
    if response is None:
        return False
    case = case_for(session, response)
    return case is not None and case.level is RiskLevel.CRISIS


def ensure_answerable(invitation: Invitation) -> None:
    """Raise unless the invitation is consented and not yet submitted."""
    if invitation.status is InvitationStatus.SUBMITTED:
        raise AlreadySubmitted()
    if invitation.status is not InvitationStatus.STARTED or invitation.consented_at is None:
        raise FlowError()


def save_page(
    session: Session,
    invitation: Invitation,
    wave: WaveView,
    page: int,
    answers: Mapping[str, int],
    now: dt.datetime,
) -> PageSaved:
    """Replace page ``page``'s answers in the sealed draft; open a crisis case when called for."""
    ensure_answerable(invitation)
    instruments = page_instruments(wave.battery)
    if not 1 <= page <= len(instruments):
        raise NoSuchPage()
    instrument = instruments[page - 1]
    response = response_of(session, invitation) or _new_response(session, invitation)
    merged = {k: v for k, v in stored_answers(response).items() if k not in _ids(instrument)}
    merged.update(answers)
    response.answers = json.dumps(merged, sort_keys=True)
    response.pages_saved = max(response.pages_saved or 0, page)
    response.updated_at = now
    _lock_battery(session, wave, now)
    session.flush()
    crisis_reasons = safety_reasons(instrument, merged)
    if crisis_reasons:
        # Opened now, or raised to crisis (never lowered) if the response already had a case.
        open_case(session, response, RiskLevel.CRISIS, crisis_reasons, now)
    return PageSaved(response=response, crisis=bool(crisis_reasons))


def _ids(instrument: Instrument) -> set[str]:
    return {item.id for item in instrument.items}


def _new_response(session: Session, invitation: Invitation) -> Response:
    response = Response(
        wave_id=invitation.wave_id,
        pseudonym=invitation.teacher.pseudonym,
        school_id=invitation.school_id,
        invitation_id=invitation.id,
        pages_saved=0,
    )
    session.add(response)
    return response


def _lock_battery(session: Session, wave: WaveView, now: dt.datetime) -> None:
    # The battery cannot change after the first saved answer; only the first save writes.
    if not wave.battery_locked:
        session.execute(
            update(Wave)
            .where(Wave.id == wave.id, Wave.battery_locked_at.is_(None))
            .values(battery_locked_at=now)
            .execution_options(synchronize_session=False)
        )


def safety_reasons(
    instrument: Instrument, answers: Mapping[str, int], policy: RiskPolicy | None = None
) -> list[str]:
    """Rule ids that make this one instrument's partial answers a crisis (empty otherwise)."""
    if not instrument.safety_items:
        return []
    row = np.array(
        [[answers.get(item.id, math.nan) for item in instrument.items]], dtype=np.float64
    )
    if policy is None:
        result = score_battery(compiled_battery((instrument.id,)), row)
    else:
        result = score_battery([instrument.id], row, policy)
    if level_name(int(result.level[0])) != "crisis":
        return []
    return rule_ids(int(result.reasons[0]), result.policy)


def rule_ids(mask: int, policy: RiskPolicy) -> list[str]:
    """The ids of the policy rules whose bits are set in ``mask``."""
    return [rule.id for rule in policy.rules if mask >> rule.index & 1]
