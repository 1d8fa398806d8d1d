"""Xinan's application factory: settings, keys, database, blueprints, requests, CLI, scheduler,
retention."""

from __future__ import annotations

import os
import sys

from flask import Flask

import models  # noqa: F401  (every table known to Base.metadata: the key commands read them all)
from accounts import account_views, admin_views, audit_views, enrol_views, inbox_views
from accounts import mail as account_mail
from accounts import retention as account_retention
from accounts import views as auth_views
from accounts.cli import accounts_cli
from accounts.gate import install_gate
from accounts.passwords import HashCost, Passwords, install_passwords
from alerts import sweeps as alert_sweeps
from alerts import views as case_views
from analysis import jobs as analysis_jobs
from analysis import model_views, predictions_hook
from analysis.cli import analysis_cli
from config.current import install_settings, settings_of
from config.settings import Settings, SettingsError
from db import Database
from db.current import install_database
from demo.cli import demo_cli
from notifications import retention as notification_retention
from notifications import sweep as outbox_sweep
from ops import cli, health, retention
from ops.logs import configure_logging
from ops.retention import RetentionRegistry, Rule
from ops.scheduler import Scheduler, install_scheduler, scheduler_of
from ops.web import configure_web, install_request_cycle
from org.cli import roster_cli
from privacy.audit.cli import audit_cli
from privacy.keys import KeyRing, load_or_generate
from privacy.vault import install_key_ring
from reports import hook as report_hook
from reports import views as report_views
from reports.service import latest_release_before
from survey.invitations import jobs as invitation_jobs
from survey.invitations import lost_link_views
from survey.teacher import answer_retention
from survey.teacher import views as teacher_views
from survey.waves import jobs as wave_jobs
from survey.waves import views as wave_views
from survey.waves.cli import wave_cli
from survey.waves.forecast_data import install_release_reader


def create_app(settings: Settings | None = None) -> Flask:
    """Build a configured Xinan app; ``settings`` defaults to the environment and config/."""
    try:
        settings = settings or Settings.from_env()
        settings.check_serving()
    except SettingsError as error:
        raise cli.startup_refused(error) from None
    configure_logging(settings.log_level, settings.log_file)
    settings.instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)

    app = Flask(__name__, instance_path=str(settings.instance_path))
    install_settings(app, settings)
    ring = load_keys(settings)
    install_key_ring(ring)
    configure_web(app, settings, ring.secret("web"))
    install_database(app, Database(settings.effective_database_url))
    install_scheduler(app, Scheduler(settings.scheduler, settings.timezone))

    cost = HashCost(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)
    install_passwords(app, Passwords(cost))
    for blueprint in (
        health,
        auth_views,
        account_views,
        enrol_views,
        admin_views,
        audit_views,
        teacher_views,
        wave_views,
        lost_link_views,
        inbox_views,
        case_views,
        report_views,
        model_views,
    ):
        app.register_blueprint(blueprint.make_blueprint())
    install_request_cycle(app)
    install_gate(app)
    account_mail.install(app)
    cli.register(app)  # the service's own: db, keys, retention, scheduler
    app.cli.add_command(accounts_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(roster_cli)
    app.cli.add_command(wave_cli)
    app.cli.add_command(analysis_cli)
    wave_jobs.install(app)
    invitation_jobs.install(app)
    outbox_sweep.install(app)
    alert_sweeps.install(app)
    analysis_jobs.install(app)
    report_hook.install(app, settings)
    predictions_hook.install(app, settings)
    install_release_reader(app, latest_release_before)
    retention.install(app, RetentionRegistry(retention_rules()))
    return app


def retention_rules() -> list[Rule]:
    """Every package's purge rules, in the order a purge runs them."""
    return [
        *account_retention.retention_rules(),
        *invitation_jobs.retention_rules(),
        *answer_retention.retention_rules(),
        *notification_retention.retention_rules(),
    ]


def load_keys(settings: Settings) -> KeyRing:
    """The key ring; generated on first run only, never beside an existing embedded database."""
    embedded = settings.instance_path / "xinan.db"
    # Fresh keys next to existing data would make it unreadable: refuse and ask for the key file.
    has_data = settings.effective_database_url == f"sqlite:///{embedded}" and embedded.exists()
    return load_or_generate(
        settings.effective_key_file, may_generate=settings.generate_keys and not has_data
    )


def serve() -> None:
    """Run the embedded server with the in-process scheduler (``make run``)."""
    try:
        app = create_app()
    except SettingsError as error:
        sys.exit(f"xinan: {error}")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Xinan is serving at http://127.0.0.1:{port}", flush=True)
    scheduler = scheduler_of(app)
    if settings_of(app).scheduler == "embedded":
        scheduler.start()
    try:
        app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown()


if __name__ == "__main__":
    serve()
