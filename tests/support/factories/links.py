"""A teacher's link as the flow tests walk it: the invitation, its token and the roster phone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Invitation, Response
from survey.teacher import link as teacher_link
from survey.teacher.link import InvitationFacts, WaveView
from tests.support.factories.census import make_invitation, make_wave
from tests.support.factories.org import make_school, make_teacher


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


def load_link(session: Session, token: str) -> tuple[InvitationFacts, WaveView]:
    """The invitation and wave behind ``token``, read as a teacher's request reads them."""
    link = teacher_link.read(session, token)
    assert link is not None
    return link
