"""The ``train`` and ``check`` commands of ``flask --app app analysis``: the second reader
(``analysis.training`` says what training does)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from analysis.model_files import ModelRefused, current_model, open_model
from analysis.training import NothingToLearn, train_and_register
from config.current import current_settings
from db.current import current_database


def _session() -> Session:
    return current_database().session()


@click.command("train")
@with_appcontext
@click.option("--seed", default=0, show_default=True, help="Random seed of the fit.")
def train(seed: int) -> None:
    """Fit the next-wave model on the released waves, save it with skops, register it."""
    session, settings = _session(), current_settings()
    try:
        registered = train_and_register(session, settings.instance_path, seed=seed)
    except NothingToLearn as nothing:
        raise click.ClickException(str(nothing)) from None
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
