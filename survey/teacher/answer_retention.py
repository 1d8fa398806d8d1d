"""Retention of teachers' answers: erased ``RETENTION_YEARS`` after their wave closes.

The consent text (version 2026.1) promises the answers are kept ``RETENTION_YEARS`` years "after
this census closes", then deleted. Two rules keep that promise, each in its own transaction:

* ``answers`` erases, in every response of such a wave, what withdrawal erases
  (``census.models.ERASED_ANSWERS``: the sealed answers, scores and reasons, the risk level, the
  saved-page count, the page timings), as one UPDATE, and deletes their response-quality notes
  (``census.quality``) and the second reader's predictions made at the wave
  (``analysis.predictions``, with their outcomes): both derived from the answers. It does not
  mark the response withdrawn: the teacher did not withdraw, and the row stays as the bare fact
  of taking part (wave, school, pseudonym, submission time, receipt) that response rates count.
* ``answer-outreach`` deletes the wave's caring outreach rows, as withdrawal does: each says no
  more than "this pseudonym scored moderate", derived from the answers and nothing else.

Left on purpose:

* Cases (their level and sealed reasons), their contact logs, steps and inbox items. They are the
  psychologists' record of care given, not the teacher's answers; a case may still be open, and
  such records usually have a retention period of their own. That period is the bureau's decision
  (not made yet), and a rule of its own in ``alerts/`` will carry it out.
* Released reports and the second reader's evaluations: anonymous aggregates, small groups
  suppressed.
* Invitations and consent records: identity and proof of consent, not answers.

A wave's end of retention is its close on the same calendar date ``RETENTION_YEARS`` later, in
UTC; 29 February falls back to 28 February, the last day of that month (PRC Civil Code art. 202).
That mapping has no SQL form common to SQLite and PostgreSQL, so each wave is decided in Python
(waves are few), and then all rows of the expired waves change in one statement.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from alerts.door import forget_outreach
from analysis.predictions import forget_wave_predictions
from census.models import ERASED_ANSWERS, Response, Wave
from census.quality import erase_wave_quality
from ops.retention import PurgeContext, Rule
from survey.teacher.consent import RETENTION_YEARS


def retention_ends(closes_at: dt.datetime) -> dt.datetime:
    """The instant a wave closing at ``closes_at`` has had its answers kept long enough (UTC)."""
    closes = closes_at.astimezone(dt.UTC)
    year = closes.year + RETENTION_YEARS
    try:
        return closes.replace(year=year)
    except ValueError:  # 29 February into a common year: the month's last day, the 28th
        return closes.replace(year=year, day=28)


def is_past_retention(closes_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether the answers of a wave closing at ``closes_at`` must be gone at ``now``."""
    return retention_ends(closes_at) < now


def expired_wave_ids(session: Session, now: dt.datetime) -> list[int]:
    """The waves whose answers are past retention at ``now``."""
    rows = session.execute(select(Wave.id, Wave.closes_at).where(Wave.closes_at < now)).all()
    return sorted(wave_id for wave_id, closes_at in rows if is_past_retention(closes_at, now))


def _holds_something() -> ColumnElement[bool]:
    # Only these rows count: a second run, or a withdrawn response, has nothing left to erase.
    return or_(*(_not_erased(name, erased) for name, erased in ERASED_ANSWERS.items()))


def _not_erased(name: str, erased: object) -> ColumnElement[bool]:
    column: InstrumentedAttribute[object] = getattr(Response, name)
    return column.is_not(None) if erased is None else column != erased


def purge_answers(session: Session, context: PurgeContext) -> int:
    """Erase answers and what was derived from them in responses past retention; returns a count."""
    waves = expired_wave_ids(session, context.now)
    if not waves:
        return 0
    where = Response.wave_id.in_(waves) & _holds_something()
    if context.dry_run:
        return int(session.scalar(select(func.count()).select_from(Response).where(where)) or 0)
    erase = (
        update(Response)
        .where(where)
        .values(
            **ERASED_ANSWERS,
            # A form still open somewhere holds the old version: its save must fail, not restore.
            version=Response.version + 1,
            updated_at=context.now,
        )
        .execution_options(synchronize_session=False)
    )
    erased = int(session.execute(erase).rowcount)  # type: ignore[attr-defined]
    erase_wave_quality(session, waves)  # the notes go with the answers they were drawn from
    forget_wave_predictions(session, waves)  # and so do the second reader's predictions
    return erased


def purge_outreach(session: Session, context: PurgeContext) -> int:
    """Delete the caring outreach rows of waves past retention; returns a count."""
    waves = expired_wave_ids(session, context.now)
    if not waves:
        return 0
    return forget_outreach(session, waves, dry_run=context.dry_run)


def retention_rules() -> list[Rule]:
    """Both rules, answers first."""
    return [Rule("answers", purge_answers), Rule("answer-outreach", purge_outreach)]
