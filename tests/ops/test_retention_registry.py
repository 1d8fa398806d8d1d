"""Each app owns its retention rules: ``create_app`` collects every package's rules into a
registry of its own, so two apps in one process never share one."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from app import create_app
from config.settings import Settings
from ops.retention import PurgeContext, Rule, retention_registry


def _nothing(session: Session, context: PurgeContext) -> int:
    return 0


def test_every_package_contributes_its_rules_in_the_order_they_run(app: Flask) -> None:
    assert retention_registry(app).names() == [
        "staff-sessions",
        "login-attempts",
        "credential-resets",
        "lost-link-attempts",
        "answers",
        "answer-outreach",
        "notifications",
    ]


def test_two_apps_in_one_process_never_share_rules(app: Flask, settings: Settings) -> None:
    other = create_app(settings)
    try:
        mine, theirs = retention_registry(app), retention_registry(other)
        assert mine is not theirs and mine.names() == theirs.names()
        mine.add(Rule("only-here", _nothing))
        assert "only-here" in mine.names() and "only-here" not in theirs.names()
    finally:
        other.extensions["xinan.db"].dispose()
