"""The deadline sweep with a fake clock against committed data, on both databases: each step once
through crashes and concurrent schedulers, late steps after a restart, none early."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from alerts import staff_notify, sweeps
from alerts.escalation_models import CaseStep
from alerts.models import Case, CaseState
from alerts.sweeps import run_case_step_sweep
from notifications.inbox_models import InboxItem
from notifications.models import DeliveryState, Notification
from notifications.sweep import run_outbox_sweep
from scoring.levels import RiskLevel
from tests.support.apps import CommittedApp
from tests.support.factories.cases import CANARY_NAME, OPENED, Place, make_case, make_place
from tests.support.gateways import Mailbox

HOUR = dt.timedelta(hours=1)
ACK_DUE = OPENED + 2 * HOUR


def _setup(env: CommittedApp, cases: int = 1, **case_args: Any) -> tuple[Place, list[uuid.UUID]]:
    with env.session() as session, session.begin():
        place = make_place(session)
        ids = [make_case(session, place, **case_args).id for _ in range(cases)]
    return place, ids


def _count(env: CommittedApp, model: type[Any], *where: Any) -> int:
    with env.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _steps(env: CommittedApp) -> list[tuple[uuid.UUID, str, str, int]]:
    with env.session() as session:
        rows = session.execute(
            select(CaseStep.case_id, CaseStep.deadline, CaseStep.kind, CaseStep.seq)
        )
        return sorted((r[0], str(r[1]), str(r[2]), r[3]) for r in rows)


def test_nothing_fires_early_and_each_step_fires_once(env: CommittedApp) -> None:
    _place, (case_id,) = _setup(env)
    assert run_case_step_sweep(env.database, env.settings, OPENED) == 0
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE - dt.timedelta(minutes=31)) == 0
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE - dt.timedelta(minutes=30)) == 1
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE - dt.timedelta(minutes=1)) == 0
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE) == 1
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE + dt.timedelta(minutes=59)) == 0
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE + HOUR) == 1
    assert _steps(env) == [
        (case_id, "acknowledge", "escalation", 0),
        (case_id, "acknowledge", "escalation", 1),
        (case_id, "acknowledge", "reminder", 0),
    ]
    # Reminder: the assignee. Escalations: the supervisor and the assignee. Mail and inbox alike.
    assert _count(env, Notification) == 5
    assert _count(env, InboxItem) == 5


def test_acting_on_the_case_stops_the_escalations(env: CommittedApp) -> None:
    _place, (case_id,) = _setup(env)
    run_case_step_sweep(env.database, env.settings, ACK_DUE)
    with env.session() as session, session.begin():
        session.get(Case, case_id).state = CaseState.CONTACTED  # type: ignore[union-attr]
    for hours in range(1, 30):
        assert run_case_step_sweep(env.database, env.settings, ACK_DUE + hours * HOUR) == 0
    with env.session() as session:
        assert session.get(Case, case_id).next_step_at is None  # type: ignore[union-attr]


def test_a_sweep_that_crashes_midway_loses_nothing_and_repeats_nothing(
    env: CommittedApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _place, ids = _setup(env, cases=5)
    real = staff_notify.deliver_notices
    calls = {"n": 0}

    def crash_on_second_batch(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            # The second batch's steps are inserted by now: the crash must take them back too.
            raise RuntimeError("killed mid-batch")
        real(*args)

    monkeypatch.setattr(sweeps, "deliver_notices", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        run_case_step_sweep(env.database, env.settings, ACK_DUE, batch=2)
    assert len(_steps(env)) == 2  # the first batch was committed, the second rolled back whole
    monkeypatch.setattr(sweeps, "deliver_notices", real)
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE, batch=2) == 3
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE, batch=2) == 0
    assert _steps(env) == sorted((i, "acknowledge", "escalation", 0) for i in ids)
    assert _count(env, Notification) == 10  # supervisor and assignee, once per case
    assert _count(env, InboxItem) == 10


def test_two_schedulers_at_once_do_each_step_once(env: CommittedApp) -> None:
    _place, ids = _setup(env, cases=30)
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            start.wait()
            results.append(run_case_step_sweep(env.database, env.settings, ACK_DUE, batch=4))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 30
    assert _steps(env) == sorted((i, "acknowledge", "escalation", 0) for i in ids)
    assert _count(env, Notification) == 60
    assert _count(env, InboxItem) == 60


def test_after_a_long_outage_the_latest_escalation_fires_within_one_sweep(
    env: CommittedApp,
) -> None:
    _place, (case_id,) = _setup(env)
    restart = ACK_DUE + dt.timedelta(hours=3, minutes=20)
    assert run_case_step_sweep(env.database, env.settings, restart) == 1
    assert _steps(env) == [(case_id, "acknowledge", "escalation", 3)]
    assert run_case_step_sweep(env.database, env.settings, restart + dt.timedelta(minutes=1)) == 0
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE + 4 * HOUR) == 1


def test_an_unassigned_case_reminds_the_supervisors_who_own_the_unassigned_list(
    env: CommittedApp,
) -> None:
    place, _ids = _setup(env, assigned=False)
    run_case_step_sweep(env.database, env.settings, ACK_DUE - dt.timedelta(minutes=30))
    with env.session() as session:
        owners = session.scalars(select(InboxItem.account_id)).all()
    assert owners == [place.supervisor_id]


def test_a_tightened_deadline_is_seen_by_the_next_sweep(env: CommittedApp) -> None:
    _place, (case_id,) = _setup(env, level=RiskLevel.HIGH)
    run_case_step_sweep(env.database, env.settings, OPENED)  # next look: days away
    with env.session() as session, session.begin():
        case = session.get(Case, case_id)
        assert case is not None
        case.level = RiskLevel.CRISIS
        case.acknowledge_due_at = ACK_DUE
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE) == 1


def test_escalation_mail_reaches_smtp_with_a_link_and_nothing_about_the_teacher(
    env: CommittedApp, smtp_server: Mailbox
) -> None:
    place, (case_id,) = _setup(env)
    settings = dataclasses.replace(
        env.settings,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        base_url="https://xinan.example.edu.cn",
    )
    run_case_step_sweep(env.database, settings, ACK_DUE)
    assert run_outbox_sweep(env.database, settings, ACK_DUE) == {"sent": 2}
    with env.session() as session:
        pseudonym = session.get(Case, case_id).pseudonym  # type: ignore[union-attr]
    assert sorted(to for tos, _ in smtp_server.received for to in tos) == sorted(
        [place.supervisor_email, place.psychologist_email]
    )
    for _tos, message in smtp_server.received:
        text = message.get_body().get_content() + str(message["Subject"])
        assert f"https://xinan.example.edu.cn/cases/{case_id}" in text
        assert "16:00" in text and "危机" in text
        for canary in (CANARY_NAME, "CANARYREASON", pseudonym, "phq9", "东区一小"):
            assert canary not in text


def test_an_escalation_mail_not_yet_sent_is_cancelled_once_someone_acts(env: CommittedApp) -> None:
    _place, (case_id,) = _setup(env)
    run_case_step_sweep(env.database, env.settings, ACK_DUE)
    with env.session() as session, session.begin():
        session.get(Case, case_id).state = CaseState.ACKNOWLEDGED  # type: ignore[union-attr]
    settings = dataclasses.replace(env.settings, smtp_host="127.0.0.1", smtp_port=9)
    assert run_outbox_sweep(env.database, settings, ACK_DUE) == {"cancelled": 2}
    assert _count(env, Notification, Notification.state == DeliveryState.CANCELLED) == 2
