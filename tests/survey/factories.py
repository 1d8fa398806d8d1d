"""Small factories for the census: a wave open now, an invitation with its link token, and a
teacher's link as the flow tests walk it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Invitation, InvitationStatus, Response, Wave, WaveState, WaveUnit
from db import utcnow
from org.models import Teacher
from privacy.vault import key_ring
from survey.invitations.links import link_token, token_hash
from survey.teacher import link as teacher_link
from survey.teacher.flow import page_order
from survey.teacher.link import InvitationFacts, WaveView
from tests.factories import make_school, make_teacher
from tests.survey.teacher_support import page_answers

DEFAULT_BATTERY = ["phq9", "gad7", "who5", "k10", "pss10", "cbi"]


def make_wave(session: Session, battery: list[str] | None = None, **overrides: Any) -> Wave:
    """A wave open from an hour ago for a week, for the whole city."""
    now = utcnow()
    values: dict[str, Any] = {
        "name": "2026 秋季普查",
        "battery": list(battery or DEFAULT_BATTERY),
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=7),
        "state": WaveState.OPEN,
    }
    values.update(overrides)
    wave = Wave(**values)
    wave.units.append(WaveUnit())
    session.add(wave)
    session.flush()
    return wave


def make_invitation(
    session: Session, wave: Wave | None = None, teacher: Teacher | None = None
) -> tuple[Invitation, str]:
    """An invitation and its link token (the token is derived, as the real app derives it)."""
    wave = wave or make_wave(session)
    teacher = teacher or make_teacher(session, make_school(session))
    invitation = Invitation(
        id=uuid.uuid4(), wave_id=wave.id, teacher_id=teacher.id, school_id=teacher.school_id
    )
    token = link_token(key_ring(), invitation.id)
    invitation.token_hash = token_hash(token)
    session.add(invitation)
    session.flush()
    return invitation, token


def make_consented_invitation(session: Session) -> tuple[Invitation, str]:
    """An invitation whose teacher has consented and may answer, with its link token."""
    invitation, token = make_invitation(session)
    invitation.status = InvitationStatus.STARTED
    invitation.consented_at = utcnow()
    session.flush()
    return invitation, token


def load_link(session: Session, token: str) -> tuple[InvitationFacts, WaveView]:
    """The invitation and wave behind ``token``, read as a teacher's request reads them."""
    link = teacher_link.read(session, token)
    assert link is not None
    return link


def page_values(number: int, value: int | None = None, **overrides: int) -> dict[str, int]:
    """Answers to every item of page ``number`` of the default battery (lowest options)."""
    fields = page_answers(page_order(DEFAULT_BATTERY)[number - 1], value, **overrides)
    return {item: int(chosen) for item, chosen in fields.items()}


@dataclass
class Link:
    """A teacher's invitation (committed to the test's transaction), its token and roster phone."""

    invitation: Invitation
    token: str
    phone: str
    battery: list[str]

    @property
    def url(self) -> str:
        return f"/s/{self.token}"


def make_link(session: Session, name: str | None = None) -> Link:
    """A new teacher (named ``name``, if given) invited to a new wave."""
    overrides = {"name": name} if name is not None else {}
    teacher = make_teacher(session, make_school(session), **overrides)
    wave = make_wave(session)
    invitation, token = make_invitation(session, wave, teacher)
    return Link(invitation, token, teacher.phone or "", list(wave.battery))


def invitation_of(session: Session, link: Link) -> Invitation:
    """The link's invitation as the database holds it now."""
    found = session.get(Invitation, link.invitation.id, populate_existing=True)
    assert found is not None
    return found


def response_of(session: Session, link: Link) -> Response | None:
    """The link's response (draft or submitted) as the database holds it now."""
    stmt = select(Response).where(Response.invitation_id == link.invitation.id)
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()
