"""Printable invitation slips per school: each teacher's name, personal link and its QR code.

These pages show names next to working links. They are for the system administrator who runs the
wave and hands slips out through school offices; every view and download is audited, and the
link alone still shows nothing personal (the teacher confirms who they are first).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from census.models import Invitation, Wave
from config.settings import Settings
from org.models import District, School, Teacher
from privacy.keys import KeyRing
from survey.invitations.service import link_url


@dataclass(frozen=True)
class Slip:
    """One teacher's slip."""

    invitation_id: uuid.UUID
    name: str
    url: str
    qr_svg: str


@dataclass(frozen=True)
class SchoolSheet:
    """A school in the wave and how many slips it has."""

    school_id: int
    school: str
    district: str
    slips: int


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (error correction M, survives a smudged print)."""
    return str(segno.make(url, error="m").svg_inline(scale=3, title="QR"))


def school_sheets(session: Session, wave: Wave) -> list[SchoolSheet]:
    """Every school with invitations in the wave, by district and name."""
    rows = session.execute(
        select(School.id, School.name, District.name, func.count(Invitation.id))
        .join(Invitation, Invitation.school_id == School.id)
        .join(District, District.id == School.district_id)
        .where(Invitation.wave_id == wave.id)
        .group_by(School.id, School.name, District.name)
        .order_by(District.name, School.name)
    )
    return [SchoolSheet(int(s), school, district, int(n)) for s, school, district, n in rows]


def slips(
    session: Session, settings: Settings, ring: KeyRing, wave: Wave, school_id: int
) -> list[Slip]:
    """One slip per invited teacher of the school, sorted by name."""
    invitations = session.execute(
        select(Invitation.id, Teacher)
        .join(Teacher, Teacher.id == Invitation.teacher_id)
        .where(Invitation.wave_id == wave.id, Invitation.school_id == school_id)
    ).all()
    made = []
    for invitation_id, teacher in invitations:
        url = link_url(settings, ring, invitation_id)
        made.append(Slip(invitation_id, teacher.name or "", url, qr_svg(url)))
    return sorted(made, key=lambda slip: slip.name)
