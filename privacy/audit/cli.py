"""``flask --app app audit verify|checkpoint``: check the chain and sign checkpoints from a shell.

Both exit 0 when the chain holds and 1 when it does not or cannot be checked, with one sentence
saying why and never a traceback, so that cron or a monitoring agent can run them unattended.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.current import current_database
from privacy.audit.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from privacy.audit.verify import DEFAULT_BATCH, VerifyResult, checkpoint_head, verify_chain
from privacy.keys import KeyRingError
from privacy.vault import key_ring

T = TypeVar("T")

audit_cli = AppGroup("audit", help="The audit chain: verify it and sign checkpoints.")

CHECKPOINT_FILE = click.Path(dir_okay=False, path_type=Path)
START_HELP = "signed checkpoint of the last archived entry, where the remaining chain begins"


@audit_cli.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=CHECKPOINT_FILE, help="a signed checkpoint")
@click.option("--start", "start_file", type=CHECKPOINT_FILE, help=START_HELP)
@click.option("--batch-size", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(1))
def verify(checkpoint_file: Path | None, start_file: Path | None, batch_size: int) -> None:
    """Recompute the chain and name the first bad entry (exit 1) or report it clean (exit 0)."""

    def run(session: Session) -> VerifyResult:
        checkpoint = _read(checkpoint_file)
        return verify_chain(
            session, checkpoint=checkpoint, start=_read(start_file), batch_size=batch_size
        )

    result = _guarded(run)
    _report(result)
    if not result.ok:
        raise SystemExit(1)


@audit_cli.command("checkpoint")
@click.option("--out", type=CHECKPOINT_FILE, help="also write the checkpoint to this file")
@click.option("--seq", "at_seq", type=click.IntRange(1), help="sign entry SEQ instead of the head")
@click.option("--start", "start_file", type=CHECKPOINT_FILE, help=START_HELP)
def checkpoint(out: Path | None, at_seq: int | None, start_file: Path | None) -> None:
    """Verify the chain, then print a signed checkpoint of its head; keep it off this server."""

    def run(session: Session) -> tuple[VerifyResult, Checkpoint | None]:
        return checkpoint_head(session, at_seq=at_seq, start=_read(start_file))

    result, signed = _guarded(run)
    if signed is None:
        _report(result)
        click.echo("no checkpoint written: the chain must verify first", err=True)
        raise SystemExit(1)
    text = signed.to_json()
    if out is not None:
        try:
            _write(out, text + "\n")
        except OSError as exc:
            click.echo(f"audit: cannot write {out}: {exc.strerror or exc}", err=True)
            raise SystemExit(1) from None
    click.echo(text)


def _guarded(action: Callable[[Session], T]) -> T:
    # Every expected failure becomes one line and exit 1; the operator never sees a traceback.
    database = current_database()
    try:
        with Session(database.engine) as session:
            return action(session)
    except (CheckpointError, KeyRingError, ValueError) as exc:
        click.echo(f"audit: {exc}", err=True)
    except OSError as exc:
        click.echo(f"audit: cannot read {exc.filename}: {exc.strerror or exc}", err=True)
    except SQLAlchemyError as exc:
        first_line = str(getattr(exc, "orig", exc)).splitlines()[:1]
        click.echo(
            f"audit: database error ({exc.__class__.__name__}): {''.join(first_line)}", err=True
        )
    raise SystemExit(1)


def _read(path: Path | None) -> Checkpoint | None:
    if path is None:
        return None
    try:
        return parse_checkpoint(key_ring().secret("audit"), path.read_text(encoding="utf-8"))
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def _write(path: Path, text: str) -> None:
    # Write beside, then rename: a crash leaves the old checkpoint or the new one, never half.
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _report(result: VerifyResult) -> None:
    if result.problem is not None:
        problem = result.problem
        click.echo(f"audit chain BROKEN at entry {problem.seq} ({problem.kind}): {problem.message}")
        click.echo(f"{result.checked} entries verified before it")
        return
    against = ""
    if result.checkpoint is not None:
        against = f"; matches the checkpoint at entry {result.checkpoint.seq}"
    click.echo(
        f"audit chain OK: {result.checked} entries verified, "
        f"head at entry {result.last_seq} ({result.last_hash[:16]}…){against}"
    )
