"""The ``train`` and ``check`` commands of ``flask --app app analysis``: the second reader.

The panel is every released wave's submitted, not withdrawn, not opted-out responses
(``analysis.model_panel``); the file goes to ``instance/models/<sha256>.skops`` and the registry
keeps its digest, its training record and who trained it. A new model predicts from the next
release on; shadow mode stays as it is.
"""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from analysis.model_files import ModelRefused, current_model, open_model, register_model
from analysis.model_panel import released_panel
from config.current import current_settings
from db.current import current_database
from privacy.audit.record import record
from scoring.risk_model import fit_next_wave_model


def _session() -> Session:
    return current_database().session()


@click.command("train")
@with_appcontext
@click.option("--seed", default=0, show_default=True, help="Random seed of the fit.")
def train(seed: int) -> None:
    """Fit the next-wave model on the released waves, save it with skops, register it."""
    session, settings = _session(), current_settings()
    rows = released_panel(session)
    if len(rows.response_ids) == 0:
        raise click.ClickException("没有已发布的作答 / no released responses to learn from")
    try:
        model = fit_next_wave_model(rows.panel, seed=seed)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    registered = register_model(session, model, settings.instance_path, "system")
    registered.record = {**registered.record, "wave_ids": sorted({int(w) for w in rows.wave_ids})}
    record(session, "system", "model.trained", object_type="risk_model", object_id=registered.id)
    session.commit()
    click.echo(json.dumps({"model": registered.id, "digest": registered.digest,
                           **_summary(registered.record)}, ensure_ascii=False))  # fmt: skip


@click.command("check")
@with_appcontext
def check() -> None:
    """Load the current model, checking its file's digest; exit 1 when it is refused."""
    session = _session()
    registered = current_model(session)
    if registered is None:
        raise click.ClickException("尚未训练模型 / no model registered")
    try:
        open_model(session, registered, current_settings().instance_path)
    except ModelRefused as refused:
        session.commit()  # the refusal's audit entry
        raise click.ClickException(str(refused)) from None
    click.echo(f"model {registered.id} ({registered.digest}) loads")


def _summary(record_: dict[str, object]) -> dict[str, object]:
    keys = ("wave_ids", "waves", "rows", "data_digest", "chosen", "metrics")
    return {key: record_[key] for key in keys if key in record_}
