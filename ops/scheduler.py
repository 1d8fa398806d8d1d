"""The one scheduler: in the web process for the embedded default, or its own process.

APScheduler's job stores must not be shared between schedulers, and one scheduler per web worker
would run every job once per worker. Jobs are therefore sweeps over database rows that are safe to
run twice; the features register them here with ``add_sweep`` or ``add_job``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask, current_app

from config.settings import Settings
from db import Database, utcnow

_KEY = "xinan.scheduler"  # the app's scheduler in app.extensions, read only through this module

log = logging.getLogger(__name__)
# (database, settings, now) -> what it did, for the log.
Job = Callable[[Database, Settings, dt.datetime], object]


class Scheduler:
    """Wraps APScheduler with the state the health check reports."""

    def __init__(self, mode: str, timezone: str) -> None:
        self.mode = mode
        self._scheduler = BackgroundScheduler(timezone=timezone)

    def add_sweep(self, func: Callable[[], None], seconds: int, name: str) -> None:
        """Run ``func`` every ``seconds``; a run still going is not started twice."""
        self._scheduler.add_job(
            func,
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )

    def add_job(
        self, name: str, job: Job, seconds: int, database: Database, settings: Settings
    ) -> None:
        """Run ``job(database, settings, now)`` every ``seconds``; a failed run is logged and
        the next run retries."""

        def run() -> None:
            try:
                result = job(database, settings, utcnow())
            except Exception:
                # The scheduler thread must not die with one bad sweep.
                log.exception("sweep failed", extra={"event": f"{name}.failed"})
                return
            log.debug("sweep ran", extra={"event": name, "result": str(result)})

        self.add_sweep(run, seconds, name)

    def start(self) -> None:
        """Start the background thread (once); a scheduler that is ``off`` never starts."""
        if self.mode != "off" and not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
        """Stop the background thread if it runs."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def state(self) -> str:
        """``running``, ``stopped``, ``external`` (another process runs it) or ``off``."""
        if self._scheduler.running:
            return "running"
        return self.mode if self.mode in ("external", "off") else "stopped"


def install_scheduler(app: Flask, scheduler: Scheduler) -> None:
    """Make ``scheduler`` the scheduler of ``app``."""
    app.extensions[_KEY] = scheduler


def scheduler_of(app: Flask) -> Scheduler:
    """The scheduler of ``app``, on which the features register their sweeps."""
    scheduler: Scheduler = app.extensions[_KEY]
    return scheduler


def current_scheduler() -> Scheduler:
    """The scheduler of the app handling this request or CLI command."""
    return scheduler_of(current_app)
