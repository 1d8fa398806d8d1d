"""Production (demo = false) does not start unless it says how many proxies stand in front and
publishes its links over HTTPS: behind an unknown proxy, every request would seem to come from
the proxy's address (one address for the whole city's limits) over plain HTTP (no HSTS, no
Secure cookies)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect

from config.settings import PROJECT_ROOT, Settings, SettingsError
from db import make_engine

HTTPS = "https://xinan.example.cn"


def test_proxy_count_unset_is_not_zero() -> None:
    assert Settings.from_env({}).proxy_count is None
    assert Settings.from_env({"XINAN_PROXY_COUNT": ""}).proxy_count is None
    assert Settings.from_env({"XINAN_PROXY_COUNT": "0"}).proxy_count == 0
    assert Settings.from_env({"XINAN_PROXY_COUNT": "2"}).proxy_count == 2
    with pytest.raises(SettingsError, match="proxy_count"):
        Settings.from_env({"XINAN_PROXY_COUNT": "-1"})


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, ["proxy_count", "base_url"]),
        ({"XINAN_PROXY_COUNT": "1"}, ["base_url"]),
        ({"XINAN_BASE_URL": HTTPS}, ["proxy_count"]),
        ({"XINAN_PROXY_COUNT": "0", "XINAN_BASE_URL": "http://xinan.example.cn"}, ["base_url"]),
    ],
)
def test_production_settings_name_what_is_missing(
    environ: dict[str, str], named: list[str]
) -> None:
    settings = Settings.from_env({"XINAN_DEMO": "false", **environ})
    with pytest.raises(SettingsError) as refused:
        settings.check_serving()
    for name in ("proxy_count", "base_url"):
        assert (name in str(refused.value)) == (name in named), (name, str(refused.value))


@pytest.mark.parametrize("proxies", ["0", "1", "2"])
def test_production_starts_with_proxy_count_set_explicitly_and_https(proxies: str) -> None:
    settings = Settings.from_env(
        {"XINAN_DEMO": "false", "XINAN_PROXY_COUNT": proxies, "XINAN_BASE_URL": HTTPS}
    )
    settings.check_serving()  # 0 is allowed when set: a server facing the internet itself
    Settings.from_env({}).check_serving()  # the embedded demo (make run) needs neither


def _flask(instance: Path, database_url: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """``flask --app app db upgrade`` as an operator runs it, with only these XINAN_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINAN_")}
    env.update(XINAN_INSTANCE_PATH=str(instance), XINAN_DATABASE_URL=database_url,
               XINAN_LOG_FILE=str(instance / "xinan.log"), XINAN_DEMO="false")  # fmt: skip
    env.update(environ)
    command = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def _tables(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_the_command_line_refuses_production_without_them_in_one_clear_line(
    backend: str, make_database_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = make_database_url(backend)
    refused = _flask(tmp_path / "instance", url)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr and "Traceback" not in refused.stdout
    assert "proxy_count" in refused.stderr and "XINAN_PROXY_COUNT" in refused.stderr
    assert "base_url" in refused.stderr and "https://" in refused.stderr
    assert _tables(url) == []  # nothing ran
    half = _flask(tmp_path / "instance", url, XINAN_PROXY_COUNT="1")
    assert half.returncode != 0 and "base_url" in half.stderr and "proxy_count" not in half.stderr
    started = _flask(tmp_path / "instance", url, XINAN_PROXY_COUNT="0", XINAN_BASE_URL=HTTPS)
    assert started.returncode == 0, started.stderr
    assert "alembic_version" in _tables(url)
