"""Separate consent for sensitive information (PIPL art. 28–30), declining, withdrawal (art. 15).

The consent text is versioned: a teacher's record names the version they agreed to, and a change
of what the text promises (such as the retention period) is a new version, never an edit.
Withdrawal deletes the answers and everything derived from them and keeps the wave's later
releases free of them; the one exception is a crisis case still waiting for its first contact,
which keeps that one caring contact (art. 13(4): protecting life and health), then closes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.door import settle_withdrawal
from analysis.predictions import forget_outcomes, forget_predictions
from census.models import ERASED_ANSWERS, Invitation, InvitationStatus, Response
from census.quality import erase_quality
from privacy.audit.record import record
from survey.teacher.drafts import new_draft
from survey.teacher.flow import AlreadySubmitted, FlowError
from survey.teacher.link import pseudonym_of

CONSENT_VERSION = "2026.2"
# What version 2026.2 of the text promises (it added the statistical second reader); a new
# promise needs a new version (and template).
RETENTION_YEARS = 3


def give_consent(
    session: Session, invitation: Invitation, now: dt.datetime, *, model_opt_out: bool = False
) -> None:
    """Record the teacher's separate consent (version and time) and mark the invitation started;
    ``model_opt_out``: the teacher leaves the statistical second reader out (PIPL art. 24)."""
    if invitation.status is InvitationStatus.SUBMITTED:
        raise AlreadySubmitted()
    if invitation.status not in (InvitationStatus.INVITED, InvitationStatus.STARTED):
        raise FlowError()
    first = invitation.consented_at is None
    if first:
        invitation.consented_at = now
        invitation.consent_version = CONSENT_VERSION
        invitation.model_opt_out_at = now if model_opt_out else None
    invitation.status = InvitationStatus.STARTED
    if not first:
        session.flush()
        return
    pseudonym = pseudonym_of(session, invitation)
    session.flush()
    new_draft(session, invitation, pseudonym, now)
    _audit(session, invitation, "survey.consent.given", pseudonym=pseudonym)


def decline(session: Session, invitation: Invitation, now: dt.datetime) -> None:
    """ "No": nothing more is stored and reminders stop (they skip declined invitations)."""
    if invitation.status is InvitationStatus.SUBMITTED:
        raise AlreadySubmitted()
    if invitation.consented_at is not None or invitation.status not in (
        InvitationStatus.INVITED,
        InvitationStatus.STARTED,
    ):
        raise FlowError()  # after consenting, the way out is withdrawal
    invitation.status = InvitationStatus.DECLINED
    invitation.declined_at = now
    session.flush()
    _audit(session, invitation, "survey.consent.declined")


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawal did: whether a crisis case keeps its one caring contact."""

    kept_contact: bool


def withdraw(session: Session, invitation: Invitation, now: dt.datetime) -> Withdrawal:
    """Withdraw consent: delete answers and derived data; keep one crisis contact if still due."""
    if invitation.status not in (InvitationStatus.STARTED, InvitationStatus.SUBMITTED):
        raise FlowError()
    # Locked: a page save that took no lock on the invitation may be writing this draft.
    response = session.scalars(
        select(Response).where(Response.invitation_id == invitation.id).with_for_update()
    ).one_or_none()
    kept = False
    if response is not None:
        # Through the case state machine (logged, audited, one kept crisis contact); the
        # outreach is forgotten.
        kept = settle_withdrawal(session, response.id, now)
        forget_predictions(session, response.id)
        forget_outcomes(session, response.pseudonym, response.wave_id)  # its level, as outcome
        _erase(response, now)
        erase_quality(session, response.id)  # the note was drawn from the answers
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.withdrawn_at = now
    session.flush()
    # The fact, not whether a crisis case keeps its contact: that would tell the auditor this
    # teacher's risk level (the case's own timeline keeps it).
    _audit(session, invitation, "survey.consent.withdrawn")
    return Withdrawal(kept_contact=kept)


def set_model_choice(
    session: Session, invitation: Invitation, opt_out: bool, now: dt.datetime
) -> None:
    """Leave the statistical second reader out (PIPL art. 24), or let it back in. Opting out
    deletes the predictions already made from this wave's answers; the rule-based level, case
    and outreach are untouched."""
    if invitation.status not in (InvitationStatus.STARTED, InvitationStatus.SUBMITTED):
        raise FlowError()
    if opt_out == (invitation.model_opt_out_at is not None):
        return
    invitation.model_opt_out_at = now if opt_out else None
    response_id = session.scalar(select(Response.id).where(Response.invitation_id == invitation.id))
    if opt_out and response_id is not None:
        forget_predictions(session, response_id)
    session.flush()
    _audit(session, invitation, "survey.model_choice", detail={"opt_out": opt_out})


def _erase(response: Response, now: dt.datetime) -> None:
    for name, erased in ERASED_ANSWERS.items():
        setattr(response, name, erased)
    response.withdrawn_at = now


def _audit(
    session: Session,
    invitation: Invitation,
    action: str,
    detail: dict[str, object] | None = None,
    pseudonym: str | None = None,
) -> None:
    # The fact, never the content: which invitation, under the teacher's pseudonym.
    record(
        session,
        pseudonym or pseudonym_of(session, invitation),
        action,
        object_type="invitation",
        object_id=invitation.id,
        detail=detail,
    )
