"""Answer retention: RETENTION_YEARS (calendar years, UTC) after a wave closes, its answers and
what was derived from them are erased in one statement, without marking anyone withdrawn; cases
stay; a second run erases nothing; a dry run only counts; the audit keeps the count only."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.intake import open_case, open_outreach
from alerts.models import Case, Outreach
from alerts.routing import RoutingPolicy
from census.models import Invitation, Response, Wave, WaveState
from config.settings import Settings
from db import utcnow
from ops.retention import PurgeContext, RetentionRegistry, retention_registry
from privacy.audit import AuditEntry
from scoring.levels import RiskLevel
from survey.teacher.answer_retention import purge_answers, purge_outreach, retention_ends
from survey.teacher.consent import RETENTION_YEARS
from survey.teacher.referral import referral_of, submitted_referral
from tests.support.apps import CommittedApp
from tests.support.factories.census import make_response, make_wave

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

UTC = dt.UTC
NOW = dt.datetime(2031, 6, 15, 9, 30, tzinfo=UTC)
DAY = dt.timedelta(days=1)
SEALED = ("answers", "scores", "reasons")
ANSWERS = json.dumps({"phq9_1": 2, "phq9_9": 1, "gad7_1": 3})


def _wave(session: Session, closes_at: dt.datetime, state: WaveState = WaveState.RELEASED) -> Wave:
    return make_wave(session, opens_at=closes_at - 14 * DAY, closes_at=closes_at, state=state)


def _response(session: Session, wave: Wave, level: RiskLevel = RiskLevel.HIGH) -> Response:
    """A submitted response with sealed answers, scores and reasons, as submission leaves it."""
    return make_response(
        session,
        wave=wave,
        pages_saved=6,
        risk_level=level,
        submitted_at=wave.closes_at - DAY,
        receipt=uuid.uuid4().hex[:12],
        answers=ANSWERS,
        scores=json.dumps({"phq9": {"total": 14}}),
        reasons=json.dumps(["phq9_item9_endorsed"]),
    )


def _row(session: Session, response: Response) -> dict[str, Any]:
    """The response's row as stored, read past the session's (stale) objects."""
    table = Response.__table__
    found = session.execute(select(table).where(table.c.id == response.id)).mappings().one()
    return dict(found)


def _ciphertexts(session: Session, response: Response) -> list[bytes]:
    row = _row(session, response)
    return [bytes(row[column]) for column in SEALED]


def _is_binary(value: object) -> bool:
    return isinstance(value, bytes | bytearray | memoryview)


def _audited(session: Session) -> list[dict[str, object]]:
    query = (
        select(AuditEntry.detail)
        .where(AuditEntry.action == "retention.purge")
        .order_by(AuditEntry.seq)
    )
    return list(session.scalars(query))


@pytest.fixture
def context(settings: Settings) -> PurgeContext:
    return PurgeContext(now=NOW, settings=settings)


@pytest.fixture
def rules(app: Flask) -> RetentionRegistry:
    return retention_registry(app)


@pytest.fixture
def seeded(app: Flask, db_session: Session) -> dict[str, Response]:
    """Responses on both sides of the limit, and an open wave's draft."""
    past = _wave(db_session, NOW.replace(year=NOW.year - RETENTION_YEARS) - DAY)
    within = _wave(db_session, NOW.replace(year=NOW.year - RETENTION_YEARS) + DAY)
    current = _wave(db_session, NOW + 7 * DAY, state=WaveState.OPEN)
    draft = _response(db_session, current)
    draft.submitted_at = None
    db_session.flush()
    return {
        "past": _response(db_session, past),
        "past_low": _response(db_session, past, RiskLevel.LOW),
        "within": _response(db_session, within),
        "draft": draft,
    }


@pytest.mark.parametrize(
    ("closes_at", "ends"),
    [
        (dt.datetime(2026, 6, 30, 16, 0, tzinfo=UTC), dt.datetime(2029, 6, 30, 16, 0, tzinfo=UTC)),
        # 29 February into a common year: the last day of February.
        (dt.datetime(2028, 2, 29, 10, 0, tzinfo=UTC), dt.datetime(2031, 2, 28, 10, 0, tzinfo=UTC)),
        (dt.datetime(2028, 3, 1, 0, 0, tzinfo=UTC), dt.datetime(2031, 3, 1, 0, 0, tzinfo=UTC)),
        # Beijing midnight on 1 January is still 31 December in UTC.
        (
            dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            dt.datetime(2029, 12, 31, 16, 0, tzinfo=UTC),
        ),
    ],
)
def test_retention_ends_on_the_same_calendar_date_three_years_on_in_utc(
    closes_at: dt.datetime, ends: dt.datetime
) -> None:
    assert RETENTION_YEARS == 3
    found = retention_ends(closes_at)
    assert found == ends and found.utcoffset() == dt.timedelta(0)


def test_answers_past_retention_are_erased_and_the_rest_untouched(
    rules: RetentionRegistry,
    db_session: Session,
    seeded: dict[str, Response],
    context: PurgeContext,
) -> None:
    kept = {name: _row(db_session, seeded[name]) for name in ("within", "draft")}
    old = _ciphertexts(db_session, seeded["past"])

    assert rules.purge(db_session, "answers", context) == 2

    for name in ("past", "past_low"):
        row = _row(db_session, seeded[name])
        assert [row[column] for column in SEALED] == [None, None, None]
        assert row["risk_level"] is None and row["pages_saved"] == 0
        # Not a withdrawal: the teacher did not withdraw, and the fact of taking part stays.
        assert row["withdrawn_at"] is None and row["submitted_at"] is not None
    cells = [bytes(v) for v in _row(db_session, seeded["past"]).values() if _is_binary(v)]
    assert not any(ciphertext in cell for ciphertext in old for cell in cells)
    db_session.expire_all()
    reloaded = db_session.get(Response, seeded["past"].id)
    assert reloaded is not None and (reloaded.answers, reloaded.scores, reloaded.reasons) == (
        None,
        None,
        None,
    )
    assert {name: _row(db_session, seeded[name]) for name in kept} == kept
    invitation = db_session.get(Invitation, seeded["past"].invitation_id)
    assert invitation is not None and invitation.withdrawn_at is None


def test_a_wave_closed_on_29_february_is_kept_until_28_february(
    app: Flask, db_session: Session, settings: Settings
) -> None:
    response = _response(db_session, _wave(db_session, dt.datetime(2028, 2, 29, 10, tzinfo=UTC)))
    ends = dt.datetime(2031, 2, 28, 10, tzinfo=UTC)
    for now, erased in ((ends - dt.timedelta(minutes=1), 0), (ends, 0), (ends + DAY / 24, 1)):
        assert purge_answers(db_session, PurgeContext(now=now, settings=settings)) == erased
    assert _row(db_session, response)["answers"] is None


def test_a_second_run_erases_nothing_and_the_audit_holds_only_counts(
    rules: RetentionRegistry,
    db_session: Session,
    seeded: dict[str, Response],
    context: PurgeContext,
) -> None:
    first = rules.purge(db_session, "answers", context)
    after_first = _row(db_session, seeded["past"])
    second = rules.purge(db_session, "answers", context)

    assert (first, second) == (2, 0)
    assert _row(db_session, seeded["past"]) == after_first
    assert _audited(db_session) == [{"rule": "answers", "deleted": 2}]
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "retention.purge")
    ).one()
    assert entry.actor == "system" and entry.object_id is None
    stored = repr([getattr(entry, column) for column in ("actor", "object_type", "detail")])
    assert seeded["past"].pseudonym not in stored and "phq9" not in stored


def test_a_dry_run_counts_and_changes_nothing(
    rules: RetentionRegistry, db_session: Session, seeded: dict[str, Response], settings: Settings
) -> None:
    before = {name: _row(db_session, response) for name, response in seeded.items()}
    dry = PurgeContext(now=NOW, settings=settings, dry_run=True)

    assert rules.purge(db_session, "answers", dry) == 2
    assert {name: _row(db_session, response) for name, response in seeded.items()} == before
    assert _audited(db_session) == []


def test_outreach_goes_with_the_answers_and_cases_stay_as_the_record_of_care(
    rules: RetentionRegistry, db_session: Session, context: PurgeContext
) -> None:
    past = _wave(db_session, NOW.replace(year=NOW.year - RETENTION_YEARS) - DAY)
    within = _wave(db_session, NOW.replace(year=NOW.year - RETENTION_YEARS) + DAY)
    moderate = RiskLevel.MODERATE
    gone_referral = submitted_referral(_response(db_session, past, moderate))
    stays_referral = submitted_referral(_response(db_session, within, moderate))
    gone = open_outreach(db_session, gone_referral, NOW).id
    stays = open_outreach(db_session, stays_referral, NOW).id
    high = referral_of(_response(db_session, past), RiskLevel.HIGH, ["gad7_total_15_plus"])
    case = open_case(db_session, high, NOW, routing=ROUTING)
    dry = PurgeContext(now=NOW, settings=context.settings, dry_run=True)

    assert purge_outreach(db_session, dry) == 1
    assert rules.purge(db_session, "answer-outreach", context) == 1
    assert rules.purge(db_session, "answer-outreach", context) == 0
    assert set(db_session.scalars(select(Outreach.id))) == {stays} and stays != gone
    db_session.expire_all()
    kept = db_session.get(Case, case.id)
    assert kept is not None and kept.level is RiskLevel.HIGH
    assert json.loads(kept.reasons or "[]") == ["gad7_total_15_plus"]


def test_both_rules_are_registered_by_the_app(rules: RetentionRegistry) -> None:
    assert rules.get("answers").purge is purge_answers
    assert rules.get("answer-outreach").purge is purge_outreach


def test_the_scheduled_purge_and_the_cli_erase_committed_answers(
    committed_app: CommittedApp,
) -> None:
    database, settings = committed_app.database, committed_app.settings
    with Session(database.engine) as session, session.begin():
        # Far from either side of the limit: the CLI reads the real clock.
        real_past = _wave(session, utcnow() - 4 * 366 * DAY)
        response_ids = [_response(session, real_past).id for _ in range(3)]
        wave_id = real_past.id
    dry = committed_app.app.test_cli_runner().invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "answers: would delete 3" in dry.output

    counts = retention_registry(committed_app.app).run(
        database, PurgeContext(now=utcnow(), settings=settings)
    )
    again = committed_app.app.test_cli_runner().invoke(args=["retention", "purge"])

    assert counts["answers"] == 3
    assert again.exit_code == 0 and "answers: deleted 0" in again.output
    with Session(database.engine) as session:
        left = session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.wave_id == wave_id, Response.answers_sealed.is_not(None))
        )
        assert left == 0
        assert session.scalar(
            select(func.count()).select_from(Response).where(Response.id.in_(response_ids))
        ) == len(response_ids)
        assert {"rule": "answers", "deleted": 3} in _audited(session)
