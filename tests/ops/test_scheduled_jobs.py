"""Every package schedules its own sweeps on the app's one scheduler, under stable names; a sweep
that fails is logged and the scheduler thread goes on."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from flask import Flask

from config.settings import Settings
from db import Database
from ops.scheduler import Scheduler


def test_each_sweep_is_scheduled_under_its_name(app: Flask, settings: Settings) -> None:
    jobs = {job.id: job for job in app.extensions["xinan.scheduler"]._scheduler.get_jobs()}
    assert set(jobs) == {
        "survey.waves",
        "survey.invitations",
        "survey.reminders",
        "alerts.outbox",
        "alerts.case_steps",
        "alerts.case_audit",
        "retention.purge",
        "analysis.quality",
    }
    wave_seconds = dt.timedelta(seconds=settings.wave_sweep_seconds)
    for name in ("survey.waves", "survey.invitations", "survey.reminders"):
        assert jobs[name].trigger.interval == wave_seconds
    outbox_seconds = dt.timedelta(seconds=settings.outbox_sweep_seconds)
    assert jobs["alerts.outbox"].trigger.interval == outbox_seconds


def test_a_failing_job_is_logged_and_does_not_raise(
    app: Flask, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(database: Database, settings: Settings, now: dt.datetime) -> None:
        raise RuntimeError("simulated failure")

    scheduler = Scheduler("off", settings.timezone)
    scheduler.add_job("test.broken", broken, 60, app.extensions["xinan.db"], settings)
    job = scheduler._scheduler.get_job("test.broken")
    with caplog.at_level(logging.ERROR, logger="ops.scheduler"):
        job.func()
    events = [getattr(r, "event", None) for r in caplog.records if r.name == "ops.scheduler"]
    assert events == ["test.broken.failed"]
