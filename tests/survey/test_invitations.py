"""Invitations: one per active teacher per wave, idempotent, only the token's hash stored."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from census.models import Invitation, WaveState, WaveUnit
from org.models import Teacher
from privacy.vault import key_ring
from survey.invitations.jobs import run_invitation_sweep
from survey.invitations.links import link_token, token_hash
from survey.invitations.service import ensure_invitations, link_url
from survey.waves.jobs import run_wave_sweep
from tests.support.apps import CommittedApp
from tests.support.factories.census import T0, make_wave
from tests.support.factories.org import make_school, make_teacher, seed_schools


def _count(env: CommittedApp, wave_id: int) -> int:
    with env.session() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Invitation).where(Invitation.wave_id == wave_id)
            )
            or 0
        )


def test_every_active_teacher_is_invited_once_however_often_the_sweep_runs(
    env: CommittedApp,
) -> None:
    with env.session() as session, session.begin():
        teachers = seed_schools(session)
        teachers["东一小"][0].is_active = False
        wave_id = make_wave(session, state=WaveState.SCHEDULED, opens_at=T0, days=14).id
        draft_id = make_wave(session, state=WaveState.DRAFT, opens_at=T0, days=14).id
    assert run_invitation_sweep(env.database, env.settings, T0 - dt.timedelta(days=3)) == 8
    assert run_invitation_sweep(env.database, env.settings, T0 - dt.timedelta(days=3)) == 0
    assert _count(env, wave_id) == 8 and _count(env, draft_id) == 0
    with env.session() as session, session.begin():  # a later roster import adds a teacher
        make_teacher(session, make_school(session, name="西一小", district="西区"))
    assert run_invitation_sweep(env.database, env.settings, T0) == 1
    assert _count(env, wave_id) == 9


def test_a_district_wave_invites_only_that_district(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        teachers = seed_schools(session)
        east = teachers["东一小"][0].school.district_id
        wave = make_wave(
            session,
            state=WaveState.SCHEDULED,
            opens_at=T0,
            days=14,
            units=[WaveUnit(district_id=east)],
        )
        ensure_invitations(session, wave, key_ring(), T0)
        schools = set(
            session.scalars(select(Invitation.school_id).where(Invitation.wave_id == wave.id))
        )
    assert len(schools) == 2


def test_two_sweeps_at_once_create_no_duplicate(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        seed_schools(session, per_school=20)
        wave_id = make_wave(session, state=WaveState.SCHEDULED, opens_at=T0, days=14).id
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            run_invitation_sweep(env.database, env.settings, T0 - dt.timedelta(days=1))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and _count(env, wave_id) == 60


def test_only_the_hash_of_the_token_is_stored(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        seed_schools(session, per_school=1)
        make_wave(session, state=WaveState.SCHEDULED, opens_at=T0, days=14)
    run_invitation_sweep(env.database, env.settings, T0)
    with env.session() as session:
        invitations = session.scalars(select(Invitation)).all()
        tokens = [link_token(key_ring(), i.id) for i in invitations]
        assert all(i.token_hash == token_hash(t) for i, t in zip(invitations, tokens, strict=True))
        assert all(len(t) >= 22 for t in tokens)  # at least 128 bits
    url = link_url(env.settings, key_ring(), invitations[0].id)
    assert url == f"https://xinan.test/s/{tokens[0]}"  # base_url of the test settings
    dump = _database_text(env)
    assert not any(t in dump for t in tokens)


def _database_text(env: CommittedApp) -> str:
    parts: list[str] = []
    with env.database.engine.connect() as connection:
        for table in ("invitations", "notifications", "waves"):
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}"):  # noqa: S608
                parts.extend(
                    str(v) if not isinstance(v, (bytes, memoryview)) else bytes(v).hex()
                    for v in row
                )
                parts.extend(
                    bytes(v).decode("latin-1") for v in row if isinstance(v, (bytes, memoryview))
                )
    return "\n".join(parts)


def test_opening_sends_one_invitation_per_teacher_after_their_district_opens(
    env: CommittedApp,
) -> None:
    with env.session() as session, session.begin():
        teachers = seed_schools(session, per_school=2)
        west = teachers["西一小"][0].school.district_id
        east = teachers["东一小"][0].school.district_id
        make_wave(
            session,
            state=WaveState.SCHEDULED,
            opens_at=T0,
            days=14,
            units=[
                WaveUnit(district_id=east),
                WaveUnit(district_id=west, opens_at=T0 + dt.timedelta(days=2)),
            ],
        )
    run_invitation_sweep(env.database, env.settings, T0 - dt.timedelta(hours=1))
    assert _invites(env) == 0  # scheduled, not yet open: invitations exist, nothing sent
    run_wave_sweep(env.database, env.settings, T0)
    run_invitation_sweep(env.database, env.settings, T0)
    run_invitation_sweep(env.database, env.settings, T0 + dt.timedelta(minutes=1))
    assert _invites(env) == 4
    run_invitation_sweep(env.database, env.settings, T0 + dt.timedelta(days=2))
    assert _invites(env) == 6


def _invites(env: CommittedApp) -> int:
    from notifications.models import Notification

    with env.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.key.like("invite:%"))
            )
            or 0
        )


def test_inactive_teachers_get_no_invitation(env: CommittedApp) -> None:
    with env.session() as session, session.begin():
        seed_schools(session, per_school=1)
        for teacher in session.scalars(select(Teacher)):
            teacher.is_active = False
        make_wave(session, state=WaveState.SCHEDULED, opens_at=T0, days=14)
    assert run_invitation_sweep(env.database, env.settings, T0) == 0
