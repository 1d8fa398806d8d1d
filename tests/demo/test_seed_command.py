"""``flask demo seed`` routes the demo's cases under the app's own settings, not the defaults, and
leaves every demo wave with its response-quality notes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from alerts.models import Case, CaseState
from app import create_app
from census.models import Response, Wave
from census.quality import ResponseQuality
from db.current import database_of
from demo.census import MIN_TEACHERS
from tests.support.apps import build_settings

# The smallest city the command seeds: about 600 of its teachers answer the open wave and about
# 8% of them (crisis or high) open a case, some 50 cases for 9 psychologists who may hold one
# each, so the cap binds and cases wait, as they do at the demo's full size.
TEACHERS = MIN_TEACHERS


@pytest.fixture
def app(module_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A demo app whose psychologists may hold one open case each (the default is 15)."""
    settings = build_settings(
        tmp_path / "instance", module_url, demo=True, demo_totp_secret="S" * 32, open_case_cap=1
    )
    application = create_app(settings)
    yield application
    database_of(application).dispose()


def test_demo_seed_routes_under_the_configured_cap(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--teachers", str(TEACHERS)])
    assert result.exit_code == 0, result.output
    assert f"demo seeded: {TEACHERS} synthetic teachers" in result.output
    database = database_of(app)
    with app.app_context():
        session = database.session()
        held = session.execute(
            select(Case.assignee_id, func.count())
            .where(Case.assignee_id.is_not(None), Case.state != CaseState.CLOSED)
            .group_by(Case.assignee_id)
        ).all()  # fmt: skip
        waiting = session.scalar(select(func.count()).where(Case.assignee_id.is_(None)))
        # Every wave's answers carry a quality note: the released ones from their release, the
        # open one from the command's own run of the quality job.
        answered = {
            wave: n
            for wave, n in session.execute(
                select(Response.wave_id, func.count()).group_by(Response.wave_id)
            )
        }
        noted = {
            wave: n
            for wave, n in session.execute(
                select(ResponseQuality.wave_id, func.count()).group_by(ResponseQuality.wave_id)
            )
        }
        waves = session.scalar(select(func.count(Wave.id)))
        database.sessions.remove()
    # Only open cases count against the cap (the released waves' cases are closed).
    assert held and max(count for _, count in held) == 1
    assert waiting  # more cases than psychologists: the rest wait for the supervisors
    assert waves == 3 and len(answered) == 3 and noted == answered
