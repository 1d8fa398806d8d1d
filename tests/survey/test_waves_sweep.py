"""The wave sweep with a fake clock, and the battery lock, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from census.models import Invitation, Response, Wave, WaveState
from privacy.audit.models import AuditEntry
from survey.invitations.links import token_hash
from survey.teacher.answer_retention import retention_ends
from survey.teacher.drafts import lock_battery
from survey.waves.jobs import run_wave_sweep
from survey.waves.population import Unit
from survey.waves.rules import BatteryLocked, NoSafetyItem, WaveError
from survey.waves.service import WaveSpec, change_state, create_wave, update_wave
from tests.support.apps import CommittedApp
from tests.support.factories.census import T0, make_wave
from tests.support.factories.org import seed_schools

DAY = dt.timedelta(days=1)


def _state(env: CommittedApp, wave_id: int) -> WaveState:
    with env.session() as session:
        return session.get(Wave, wave_id).state  # type: ignore[union-attr]


def test_sweep_opens_and_closes_at_their_times_and_is_safe_to_repeat(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        wave_id = make_wave(session, state=WaveState.SCHEDULED, opens_at=T0, days=14).id
        draft_id = make_wave(session, state=WaveState.DRAFT, opens_at=T0, days=14).id
    assert run_wave_sweep(env.database, env.settings, T0 - dt.timedelta(seconds=1)) == 0
    assert _state(env, wave_id) is WaveState.SCHEDULED
    assert run_wave_sweep(env.database, env.settings, T0) == 1
    assert run_wave_sweep(env.database, env.settings, T0) == 0  # run twice: nothing more
    assert _state(env, wave_id) is WaveState.OPEN
    assert run_wave_sweep(env.database, env.settings, T0 + 14 * DAY) == 1
    assert _state(env, wave_id) is WaveState.CLOSED
    assert _state(env, draft_id) is WaveState.DRAFT
    with env.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_id == str(wave_id), AuditEntry.object_type == "wave"
            )
        ).all()
    assert actions.count("wave.open") == 1 and actions.count("wave.close") == 1


def test_a_scheduler_down_through_the_window_opens_and_closes_in_one_run(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        wave_id = make_wave(session, state=WaveState.SCHEDULED, opens_at=T0, days=14).id
    assert run_wave_sweep(env.database, env.settings, T0 + 30 * DAY) == 2
    assert _state(env, wave_id) is WaveState.CLOSED


def _spec(battery: tuple[str, ...], confirm: bool = False) -> WaveSpec:
    return WaveSpec("冬季", battery, T0, T0 + 14 * DAY, (Unit(),), confirm)


def test_battery_without_phq9_needs_confirmation(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        with pytest.raises(NoSafetyItem):
            create_wave(session, _spec(("gad7", "who5")), T0)
        wave = create_wave(session, _spec(("gad7", "who5"), confirm=True), T0)
        assert wave.no_safety_item_confirmed and wave.state is WaveState.DRAFT


def test_battery_cannot_change_after_the_first_answer(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        teachers = seed_schools(session, per_school=1)
        wave = create_wave(session, _spec(("phq9", "gad7")), T0)
        update_wave(session, wave, _spec(("phq9", "gad7", "who5")))  # no answer yet: allowed
        teacher = teachers["东一小"][0]
        invitation = Invitation(
            wave_id=wave.id,
            teacher_id=teacher.id,
            school_id=teacher.school_id,
            token_hash=token_hash("x" * 43),
        )
        session.add(invitation)
        session.flush()
        response = Response(
            wave_id=wave.id,
            pseudonym=teacher.pseudonym,
            school_id=teacher.school_id,
            invitation_id=invitation.id,
        )
        session.add(response)
        lock_battery(session, wave.id, T0 + DAY)
        lock_battery(session, wave.id, T0 + 2 * DAY)  # later saves keep the first time
        session.refresh(wave)
        assert wave.battery_locked_at == T0 + DAY
        with pytest.raises(BatteryLocked):
            update_wave(session, wave, _spec(("phq9",)))
        update_wave(
            session, wave, WaveSpec("新名字", ("phq9", "gad7", "who5"), T0, T0 + 7 * DAY, (Unit(),))
        )
        assert wave.name == "新名字"


def test_open_waves_cannot_be_edited(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        wave = make_wave(session, state=WaveState.OPEN, opens_at=T0, days=14)
        with pytest.raises(WaveError):
            update_wave(session, wave, _spec(("phq9",)))


def test_a_wave_past_its_answers_retention_cannot_be_released(env: CommittedApp) -> None:
    closes = T0 + dt.timedelta(days=14)
    with env.session() as session, session.begin():
        seed_schools(session, per_school=1)
        wave = make_wave(session, state=WaveState.CLOSED, opens_at=T0, days=14)
        with pytest.raises(WaveError):
            change_state(session, wave, "release", retention_ends(closes) + dt.timedelta(hours=1))
        assert wave.state is WaveState.CLOSED and wave.released_at is None
        just_in_time = retention_ends(closes) - dt.timedelta(hours=1)
        assert change_state(session, wave, "release", just_in_time) is WaveState.RELEASED
