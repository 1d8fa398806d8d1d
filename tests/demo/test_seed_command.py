"""``flask demo seed`` routes the demo's cases under the app's own settings, not the defaults."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from alerts.models import Case, CaseState
from app import create_app
from db.current import database_of
from tests.support.apps import build_settings


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
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    database = database_of(app)
    with app.app_context():
        session = database.session()
        held = session.execute(
            select(Case.assignee_id, func.count())
            .where(Case.assignee_id.is_not(None), Case.state != CaseState.CLOSED)
            .group_by(Case.assignee_id)
        ).all()  # fmt: skip
        waiting = session.scalar(select(func.count()).where(Case.assignee_id.is_(None)))
        database.sessions.remove()
    # Only open cases count against the cap (the released waves' cases are closed).
    assert held and max(count for _, count in held) == 1
    assert waiting  # more cases than psychologists: the rest wait for the supervisors
