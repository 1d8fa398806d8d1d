"""A release freezes the report through ``census.signals.wave_released``, for the app that
released it only, with that app's settings: never another app's, never default settings."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import create_app
from census.models import Wave, WaveState
from census.signals import announce_release, wave_released
from config.settings import Settings
from db import make_engine
from reports import hook
from reports.service import release_of
from tests.support.apps import build_settings
from tests.support.factories.releases import NOW, released_wave

K = 12  # not the default 10: the frozen report tells whose settings froze it


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    """The test settings with a k of their own."""
    return build_settings(tmp_path / "instance", migrated_url, disclosure_k=K)


def _engine(app: Flask) -> Engine:
    return app.extensions["xinan.db"].engine  # type: ignore[no-any-return]


def test_the_cli_release_freezes_the_report_with_the_apps_k(
    app: Flask, db_session: Session
) -> None:
    wave = released_wave(db_session, {("信号区", "信号校"): 3}, name="命令行发布")
    wave.state, wave.released_at = WaveState.CLOSED, None
    db_session.flush()
    result = app.test_cli_runner().invoke(args=["wave", "release", str(wave.id)])
    assert result.exit_code == 0, result.output
    release = release_of(db_session, wave.id)
    assert release is not None and release.k == K


def test_each_app_hears_its_own_releases_only(
    app: Flask, migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = create_app(build_settings(tmp_path / "other", migrated_url, disclosure_k=20))
    frozen: list[int] = []
    monkeypatch.setattr(hook, "build_release", lambda _s, _w, _n, k, _cap: frozen.append(k))
    wave = Wave(name="信号")
    with Session(_engine(app)) as session:
        announce_release(session, wave, NOW)
    assert frozen == [K]
    with Session(_engine(other)) as session:
        announce_release(session, wave, NOW)
    assert frozen == [K, 20]
    stray = make_engine(migrated_url)  # an engine no app was built on: nobody listens
    with Session(stray) as session:
        announce_release(session, wave, NOW + dt.timedelta(days=1))
    assert frozen == [K, 20]
    stray.dispose()
    other.extensions["xinan.db"].dispose()


def test_an_apps_receiver_goes_with_the_app(migrated_url: str, tmp_path: Path) -> None:
    app = create_app(build_settings(tmp_path / "gone", migrated_url))
    engine = _engine(app)
    assert app.extensions[hook.RECEIVER] in list(wave_released.receivers_for(engine))
    app.extensions["xinan.db"].dispose()
    del app
    gc.collect()
    assert list(wave_released.receivers_for(engine)) == []
