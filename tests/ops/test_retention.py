"""Retention: rows past their period are purged, rows within are kept, a dry run deletes nothing,
running twice is harmless, and the audit log is neither purged nor configurable below six months."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import LoginAttempt, StaffAccount, StaffSession
from app import create_app
from config.settings import Settings, SettingsError
from db import Database, utcnow
from ops.retention import EXTENSION, PurgeContext, RetentionRegistry, Rule, retention_registry
from privacy.audit import AuditEntry, record_independently
from tests.support.apps import build_settings, migrate

NOW = utcnow()
DAY, MINUTE, HOUR = dt.timedelta(days=1), dt.timedelta(minutes=1), dt.timedelta(hours=1)


def _account(
    session: Session, *, active: bool = True, valid_after: dt.datetime | None = None
) -> StaffAccount:
    account = StaffAccount(
        username=f"u{uuid.uuid4().hex[:12]}",
        password_hash="x",
        is_active=active,
        sessions_valid_after=valid_after or NOW - 30 * DAY,
    )
    session.add(account)
    session.flush()
    return account


def _session(
    session: Session, account: StaffAccount, created: dt.timedelta, seen: dt.timedelta
) -> bytes:
    token = uuid.uuid4().bytes * 2
    session.add(
        StaffSession(
            token_hash=token,
            account=account,
            stage="full",
            created_at=NOW - created,
            last_seen_at=NOW - seen,
        )
    )
    return token


def _seed(session: Session) -> dict[str, set[bytes]]:
    """Sessions and login attempts on both sides of every limit, by what must happen to them."""
    live, voided, disabled = (
        _account(session),
        _account(session, valid_after=NOW - HOUR),
        _account(session, active=False),
    )
    keep = {
        _session(session, live, created=HOUR, seen=MINUTE),
        _session(session, live, created=11 * HOUR, seen=29 * MINUTE),
        _session(session, voided, created=MINUTE, seen=MINUTE),
    }
    purge = {
        _session(session, live, created=HOUR, seen=31 * MINUTE),
        _session(session, live, created=13 * HOUR, seen=MINUTE),
        _session(session, voided, created=2 * HOUR, seen=MINUTE),
        _session(session, disabled, created=MINUTE, seen=MINUTE),
    }
    for age in (0 * DAY, 29 * DAY, 31 * DAY, 400 * DAY):
        session.add(LoginAttempt(username_key=uuid.uuid4().bytes, at=NOW - age))
    session.flush()
    return {"keep": keep, "purge": purge}


def _state(session: Session) -> tuple[set[bytes], list[dt.timedelta]]:
    tokens = set(session.scalars(select(StaffSession.token_hash)))
    ages = sorted(NOW - at for at in session.scalars(select(LoginAttempt.at)))
    return tokens, ages


@pytest.fixture
def context(settings: Settings) -> PurgeContext:
    return PurgeContext(now=NOW, settings=settings)


@pytest.fixture
def rules(app: Flask) -> RetentionRegistry:
    return retention_registry(app)


def test_rows_past_retention_are_purged_and_rows_within_are_kept(
    rules: RetentionRegistry, db_session: Session, context: PurgeContext
) -> None:
    seeded = _seed(db_session)
    assert rules.purge(db_session, "staff-sessions", context) == len(seeded["purge"])
    assert rules.purge(db_session, "login-attempts", context) == 2
    tokens, ages = _state(db_session)
    assert seeded["keep"] <= tokens and not seeded["purge"] & tokens
    assert ages == [0 * DAY, 29 * DAY]


def test_a_dry_run_counts_and_deletes_nothing(
    rules: RetentionRegistry, db_session: Session, context: PurgeContext
) -> None:
    _seed(db_session)
    before = _state(db_session)
    dry = PurgeContext(now=NOW, settings=context.settings, dry_run=True)
    assert rules.purge(db_session, "staff-sessions", dry) == 4
    assert rules.purge(db_session, "login-attempts", dry) == 2
    assert _state(db_session) == before
    assert _audited(db_session) == []


def test_running_twice_deletes_nothing_more_and_audits_once(
    rules: RetentionRegistry, db_session: Session, context: PurgeContext
) -> None:
    _seed(db_session)
    first = [
        rules.purge(db_session, name, context) for name in ("staff-sessions", "login-attempts")
    ]
    after_first = _state(db_session)
    second = [
        rules.purge(db_session, name, context) for name in ("staff-sessions", "login-attempts")
    ]
    assert first == [4, 2] and second == [0, 0]
    assert _state(db_session) == after_first
    assert _audited(db_session) == [
        {"rule": "staff-sessions", "deleted": 4},
        {"rule": "login-attempts", "deleted": 2},
    ]


def test_the_login_attempt_period_is_a_setting(
    rules: RetentionRegistry, db_session: Session, settings: Settings
) -> None:
    _seed(db_session)
    shorter = dataclasses.replace(settings, retention_login_attempts_days=7)
    assert rules.purge(db_session, "login-attempts", PurgeContext(now=NOW, settings=shorter)) == 3


def _audited(session: Session) -> list[dict[str, object]]:
    query = (
        select(AuditEntry.detail)
        .where(AuditEntry.action == "retention.purge")
        .order_by(AuditEntry.seq)
    )
    return list(session.scalars(query))


@pytest.fixture
def committed_app(
    backend: str, make_database_url: Callable[[str], str], tmp_path: Path
) -> Iterator[Flask]:
    """An app on a database of its own: the job and the CLI commit, as in production."""
    app = create_app(build_settings(tmp_path / "instance", migrate(make_database_url(backend))))
    yield app
    app.extensions["xinan.db"].dispose()


def test_the_cli_dry_run_then_purge_then_purge_again(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command reads the real clock: seed around it, not around the module's import time,
    # or a slow run pushes the 29-minute session past the 30-minute limit.
    monkeypatch.setattr(sys.modules[__name__], "NOW", utcnow())
    database: Database = committed_app.extensions["xinan.db"]
    with Session(database.engine) as session, session.begin():
        _seed(session)
    runner = committed_app.test_cli_runner()

    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    first = runner.invoke(args=["retention", "purge"])
    again = runner.invoke(args=["retention", "purge"])

    assert dry.exit_code == first.exit_code == again.exit_code == 0, dry.output + first.output
    assert "staff-sessions: would delete 4" in dry.output
    assert "login-attempts: would delete 2" in dry.output
    assert (
        "staff-sessions: deleted 4" in first.output and "login-attempts: deleted 2" in first.output
    )
    assert (
        "staff-sessions: deleted 0" in again.output and "login-attempts: deleted 0" in again.output
    )
    with Session(database.engine) as session:
        assert len(_audited(session)) == 2
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 2


def test_a_failing_rule_does_not_stop_the_others(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Session, context: PurgeContext) -> int:
        raise RuntimeError("simulated failure")

    with_broken = RetentionRegistry([Rule("broken", broken), *retention_registry(committed_app)])
    monkeypatch.setitem(committed_app.extensions, EXTENSION, with_broken)
    database: Database = committed_app.extensions["xinan.db"]
    counts = with_broken.run(
        database, PurgeContext(now=NOW, settings=committed_app.extensions["xinan.settings"])
    )
    # Other features register rules of their own; every one of them still ran.
    assert counts["broken"] is None
    assert {"staff-sessions", "login-attempts"} <= set(counts)
    assert all(count == 0 for name, count in counts.items() if name != "broken")
    result = committed_app.test_cli_runner().invoke(args=["retention", "purge"])
    assert result.exit_code == 1 and "broken: FAILED" in result.output


def test_the_purge_is_scheduled_on_the_one_scheduler(app: Flask, settings: Settings) -> None:
    job = app.extensions["xinan.scheduler"]._scheduler.get_job("retention.purge")
    assert job is not None
    assert job.trigger.interval == dt.timedelta(minutes=settings.retention_purge_minutes)


def test_rules_need_a_plain_name_and_one_function_per_name() -> None:
    registry = RetentionRegistry()

    def rule(session: Session, context: PurgeContext) -> int:
        return 0

    registry.add(Rule("answers", rule))
    registry.add(Rule("answers", rule))
    with pytest.raises(ValueError, match="already registered"):
        registry.add(Rule("answers", lambda session, context: 0))
    with pytest.raises(ValueError, match="lower-case"):
        registry.add(Rule("Answers_2", rule))
    assert registry.names() == ["answers"]


@pytest.mark.parametrize("days", [0, 30, 183])
def test_audit_retention_below_six_months_is_refused_even_in_tests(
    days: int, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match="retention_audit_days"):
        build_settings(tmp_path, "sqlite://", retention_audit_days=days)


def test_audit_retention_from_the_environment_is_checked_too() -> None:
    with pytest.raises(SettingsError, match="at least 184"):
        Settings.from_env({"XINAN_RETENTION_AUDIT_DAYS": "90"})
    assert Settings.from_env({"XINAN_RETENTION_AUDIT_DAYS": "200"}).retention_audit_days == 200


def test_audit_entries_are_never_purged(committed_app: Flask) -> None:
    database: Database = committed_app.extensions["xinan.db"]
    record_independently(database, "system", "keys.rotate", detail={"active_key": 1})
    with Session(database.engine) as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    assert before
    far_future = PurgeContext(
        now=NOW + 3650 * DAY, settings=committed_app.extensions["xinan.settings"]
    )
    retention_registry(committed_app).run(database, far_future)
    with Session(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
