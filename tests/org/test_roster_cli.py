"""``flask --app app roster import`` as an operator runs it: exit codes, summary, no traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from db import make_engine
from ops import migrations
from tests.support.rosters import flask_cli, teacher_row, write_csv

Runner = Callable[..., subprocess.CompletedProcess[str]]


def cli_runner(instance: Path, database_url: str | None) -> Runner:
    """``roster import ARGS`` through the real CLI against one instance (and database)."""
    flask = flask_cli(instance, database_url)
    return lambda *args: flask("roster", "import", *args)


@pytest.fixture(params=["sqlite", "postgresql"])
def cli(
    request: pytest.FixtureRequest, tmp_path: Path, make_database_url: Callable[[str], str]
) -> Runner:
    """The CLI against a freshly migrated database of each backend."""
    url = make_database_url(request.param)
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    return cli_runner(tmp_path / "instance", url)


def test_import_then_reimport(cli: Runner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [teacher_row(1), teacher_row(2)])
    first = cli(str(path))
    assert first.returncode == 0, first.stderr
    assert "teachers: 2 created, 0 updated, 0 unchanged" in first.stdout
    assert "districts created: 1; schools created: 1" in first.stdout
    second = cli(str(path), "--deactivate-missing")
    assert second.returncode == 0
    assert "0 created, 0 updated, 2 unchanged" in second.stdout


def test_bad_file_exits_1_lists_rows_and_writes_nothing(cli: Runner, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", [teacher_row(1), teacher_row(2, 手机="12345")])
    result = cli(str(bad))
    assert result.returncode == 1
    assert "row 3, column H (手机 phone): must be a mainland mobile number" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    good = write_csv(tmp_path / "good.csv", [teacher_row(1)])
    dry = cli(str(good), "--dry-run")
    assert dry.returncode == 0 and "dry run: nothing was written" in dry.stdout
    assert "1 created" in cli(str(good)).stdout  # neither the bad file nor the dry run wrote


@pytest.mark.parametrize("args", [("missing.csv",), (".",), ("r.csv", "--no-such-option"), ()])
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    write_csv(tmp_path / "r.csv", [teacher_row(1)])
    run = cli_runner(tmp_path / "instance", f"sqlite:///{tmp_path / 'x.db'}")
    result = run(*[str(tmp_path / a) if not a.startswith("-") else a for a in args])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_unmigrated_database_is_a_clear_failure(tmp_path: Path) -> None:
    run = cli_runner(tmp_path / "instance", f"sqlite:///{tmp_path / 'empty.db'}")
    result = run(str(write_csv(tmp_path / "r.csv", [teacher_row(1)])))
    assert result.returncode == 3
    assert "db upgrade" in result.stderr and "Traceback" not in result.stderr
