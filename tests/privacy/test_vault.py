"""Sealed model fields on both databases: no plain personal data, moved ciphertext reported."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Table, select, text, update
from sqlalchemy.orm import Session

from org.models import Teacher
from privacy.sealing import SealError
from tests.support.factories.org import make_school, make_teacher


def test_personal_fields_are_stored_sealed(db_session: Session) -> None:
    teacher = make_teacher(db_session, name="陈静怡", phone="13912345678", staff_no="GZ0001")
    raw = db_session.execute(
        text("SELECT name, phone, staff_no FROM teachers WHERE pseudonym = :p"),
        {"p": teacher.pseudonym},
    ).one()
    for cell, plain in zip(raw, ("陈静怡", "13912345678", "GZ0001"), strict=True):
        assert plain.encode() not in bytes(cell)
    db_session.expire_all()
    reloaded = db_session.scalars(select(Teacher).where(Teacher.id == teacher.id)).one()
    assert (reloaded.name, reloaded.phone, reloaded.birth_year) == ("陈静怡", "13912345678", 1985)
    assert reloaded.is_psychologist is False


def test_ciphertext_copied_to_another_row_fails_and_is_reported(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    school = make_school(db_session)
    victim = make_teacher(db_session, school, name="甲")
    other = make_teacher(db_session, school, name="乙")
    table = Teacher.__table__
    assert isinstance(table, Table)
    db_session.execute(update(table).where(table.c.id == other.id).values(name=victim.name_sealed))
    db_session.expire_all()
    moved = db_session.get(Teacher, other.id)
    assert moved is not None
    with caplog.at_level(logging.ERROR), pytest.raises(SealError):
        _ = moved.name
    failure = [r for r in caplog.records if getattr(r, "event", "") == "privacy.seal_failure"]
    assert failure, "the failure must be reported"
    assert vars(failure[0])["row"] == str(other.id) and vars(failure[0])["column"] == "name"
    assert "甲" not in caplog.text
