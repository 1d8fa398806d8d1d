"""The link as the teacher's pages load it: the invitation and its wave in one statement.

The statement works out the school's window in SQL; it must agree with ``unit_opens_at``, the
rule the scheduler, the guards and the wave pages use, for every shape of population.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

import pytest
from sqlalchemy.orm import Session

from alerts.routing import RoutingPolicy
from census.models import InvitationStatus, WaveState, WaveUnit
from db import utcnow
from org.models import School
from survey.teacher import drafts
from survey.teacher import link as teacher_link
from survey.teacher.link import Draft, InvitationRow, ResponseRow
from survey.waves.rules import unit_opens_at
from tests.support.factories.census import (
    make_consented_invitation,
    make_invitation,
    make_wave,
    page_values,
)
from tests.support.factories.links import load_link
from tests.support.factories.org import make_school, make_teacher

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

DAY = dt.timedelta(days=1)
_T0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)


def _schools(session: Session) -> tuple[School, School, School]:
    east = make_school(session, name="东一小", district="东区")
    east_two = make_school(session, name="东二中", district="东区")
    west = make_school(session, name="西一小", district="西区")
    return east, east_two, west


def _populations(east: School, east_two: School, west: School) -> dict[str, list[WaveUnit]]:
    """Unit lists by name; opening offsets in days from the wave's own opening."""

    def at(days: int | None) -> dt.datetime | None:
        return None if days is None else _T0 + days * DAY

    return {
        "city": [WaveUnit()],
        "districts, the west later": [
            WaveUnit(district_id=east.district_id),
            WaveUnit(district_id=west.district_id, opens_at=at(3)),
        ],
        "one district only": [WaveUnit(district_id=east.district_id, opens_at=at(1))],
        "schools": [WaveUnit(school_id=east.id), WaveUnit(school_id=west.id, opens_at=at(2))],
        "a unit time before the wave's": [WaveUnit(district_id=west.district_id, opens_at=at(-2))],
        "city and a later district": [
            WaveUnit(),
            WaveUnit(district_id=west.district_id, opens_at=at(4)),
        ],
        "school and its district": [
            WaveUnit(school_id=east_two.id, opens_at=at(5)),
            WaveUnit(district_id=east.district_id, opens_at=at(1)),
        ],
    }


@pytest.mark.parametrize(
    "population",
    [
        "city",
        "districts, the west later",
        "one district only",
        "schools",
        "a unit time before the wave's",
        "city and a later district",
        "school and its district",
    ],
)
def test_the_window_read_with_the_link_is_the_waves_rule(
    db_session: Session, population: str
) -> None:
    schools = _schools(db_session)
    units = _populations(*schools)[population]
    wave = make_wave(db_session, opens_at=_T0, closes_at=_T0 + 14 * DAY)
    wave.units[:] = units
    db_session.flush()
    db_session.expire_all()
    for school in schools:
        _invitation, token = make_invitation(db_session, wave, make_teacher(db_session, school))
        link = teacher_link.read(db_session, token)
        assert link is not None
        _loaded, view = link
        expected = unit_opens_at(wave, school.id, school.district_id)
        assert view.opens_at == expected, (population, school.name)


def test_the_view_carries_the_battery_state_and_lock(db_session: Session) -> None:
    wave = make_wave(db_session, battery=["gad7", "phq9"], state=WaveState.OPEN)
    invitation, token = make_invitation(db_session, wave)
    link = teacher_link.lock(db_session, token)
    assert link is not None
    loaded, view = link
    assert loaded is invitation
    assert (view.id, view.battery, view.state) == (wave.id, ("gad7", "phq9"), WaveState.OPEN)
    assert not view.battery_locked
    assert view.takes_answers(wave.opens_at + DAY)
    assert not view.takes_answers(wave.closes_at)
    assert not view.takes_answers(wave.opens_at - DAY)


def test_a_school_outside_the_population_takes_no_answers(db_session: Session) -> None:
    east, _east_two, west = _schools(db_session)
    wave = make_wave(db_session)
    wave.units[:] = [WaveUnit(district_id=east.district_id)]
    db_session.flush()
    _invitation, token = make_invitation(db_session, wave, make_teacher(db_session, west))
    link = teacher_link.read(db_session, token)
    assert link is not None
    assert link[1].opens_at is None
    assert not link[1].takes_answers(wave.opens_at + dt.timedelta(hours=1))


def test_a_garbage_or_unknown_token_loads_nothing(db_session: Session) -> None:
    make_invitation(db_session)
    assert teacher_link.read(db_session, "not-a-token") is None
    assert teacher_link.read(db_session, "A" * 43) is None


def test_a_page_reads_the_invitation_and_draft_as_the_entities_hold_them(
    db_session: Session,
) -> None:
    invitation, token = make_consented_invitation(db_session)
    before = teacher_link.read_with_draft(db_session, token)  # no page saved yet
    assert before is not None and before[2] == Draft(response=None, crisis=False)
    _, wave = load_link(db_session, token)
    drafts.save_page(
        db_session, invitation, wave, 1, page_values(1, phq9_9=1), utcnow(), routing=ROUTING
    )
    db_session.flush()
    found = teacher_link.read_with_draft(db_session, token)
    assert found is not None
    read, _wave, draft = found
    for field in fields(InvitationRow):
        assert getattr(read, field.name) == getattr(invitation, field.name), field.name
    response = drafts.response_of(db_session, invitation)
    assert response is not None and draft.response is not None
    for field in fields(ResponseRow):
        assert getattr(draft.response, field.name) == getattr(response, field.name), field.name
    assert draft.response.answers == response.answers and "phq9_9" in (response.answers or "")
    assert draft.crisis  # item 9 opened a crisis case


def test_a_page_read_is_a_snapshot_that_cannot_be_written_nor_shows_its_hashes(
    db_session: Session,
) -> None:
    _, token = make_consented_invitation(db_session)
    read, _wave = load_link(db_session, token)
    with pytest.raises(AttributeError):
        read.status = InvitationStatus.SUBMITTED  # type: ignore[misc]
    shown = repr(read)  # what a traceback printing local variables would show
    assert str(read.id) in shown and str(read.token_hash) not in shown and "pin_hash" not in shown
