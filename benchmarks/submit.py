"""Submission benchmark: whole surveys completed by many teachers at once, on SQLite and on
PostgreSQL, against the real app under gunicorn as in production (2 sync workers, no scheduler).

``python -m benchmarks submit`` prints ``{"sqlite": {...}, "postgresql": {...}}``. Each backend
gets its own instance folder, key ring, migrated database (PostgreSQL in a throwaway cluster),
synthetic roster, open wave and invitations. Load-generator processes (``_teacher_load``) walk
teachers through landing, identity, PIN, consent, every page and submit over plain HTTP; then
the database is checked for every acknowledged receipt (``lost``) and for anything stored twice
(``duplicates``). ``framework_ceiling_per_s`` is a bare Flask endpoint under the same gunicorn
settings and the same load generator, measured in the same run in windows that alternate with
the app's (the host's speed drifts); ``ratio`` is the app's requests per second over it.
Everything is removed afterwards, servers and cluster included.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, text

from benchmarks._live_server import gunicorn
from benchmarks._survey_instance import Census, check_stored, prepare, server_env
from config.settings import PROJECT_ROOT
from devservices.postgres import throwaway_cluster

TEACHERS = 3000  # invitations per backend: more than the measured run can use
LOAD_PROCESSES = 2
THREADS_PER_PROCESS = 4  # 8 teachers at once against 2 sync workers keeps both busy
SURVEY_SECONDS = 45.0  # in all, over ROUNDS windows (each ends as its last surveys finish)
CEILING_SECONDS = 16.0  # in all, over ROUNDS + 1 windows
ROUNDS = 3
WARM_UP_TEACHERS = 4
PIN = "4826"
LOAD_GRACE_SECONDS = 120  # in-flight surveys finish after the deadline; then give up


def _load(port: int, mode: str, seconds: float, teachers: list[dict[str, Any]],
          root: Path, processes: int = LOAD_PROCESSES, threads: int = THREADS_PER_PROCESS,
          path: str = "/ping") -> list[dict[str, Any]]:  # fmt: skip
    """Run the load generator in ``processes`` processes at once; their JSON results."""
    start_at = time.time() + 1.5  # every process starts its clock together
    plans, runners = [], []
    for n in range(processes):
        plan = {
            "host": "127.0.0.1", "port": port, "mode": mode, "path": path, "pin": PIN,
            "threads": threads, "start_at": start_at, "stop_at": start_at + seconds,
            "teachers": teachers[n::processes],
        }  # fmt: skip
        plan_file = root / f"plan-{mode}-{n}.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        plans.append(plan_file)
    command = [sys.executable, "-m", "benchmarks._teacher_load"]
    for plan_file in plans:
        runner = subprocess.Popen(
            [*command, str(plan_file)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
        )
        runners.append(runner)
    results = []
    try:
        for runner in runners:
            out, _ = runner.communicate(timeout=seconds + LOAD_GRACE_SECONDS)
            if runner.returncode != 0:
                raise RuntimeError(f"load generator failed ({runner.returncode})")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for runner in runners:
            if runner.poll() is None:
                runner.kill()
                runner.wait()
    return results


def _elapsed(results: list[dict[str, Any]]) -> float:
    return float(max(r["finished"] for r in results) - min(r["started"] for r in results))


def _rate_over(windows: list[list[dict[str, Any]]], key: str) -> float:
    """``key`` per second over several measured windows (the time between them left out)."""
    count = sum(r[key] for window in windows for r in window)
    return float(count) / sum(_elapsed(window) for window in windows)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the finished load generators
    return usage.ru_utime + usage.ru_stime


def _ceiling_window(port: int, root: Path) -> list[dict[str, Any]]:
    """One window of load on the bare Flask endpoint."""
    results = _load(port, "ping", CEILING_SECONDS / (ROUNDS + 1), [], root)
    if any(r["errors"] for r in results):
        raise RuntimeError(f"the bare endpoint failed: {[r['errors'] for r in results]}")
    return results


def measure(root: Path, database_url: str) -> dict[str, Any]:
    """Prepare an instance on ``database_url``, load it, check what was stored.

    The host's speed drifts over seconds to minutes here, so the app and the bare endpoint
    (``framework_ceiling_per_s``, same gunicorn settings) take turns: bare, app, bare, … bare.
    Both servers run throughout; the one not under load sits idle in accept().
    """
    root.mkdir(parents=True)
    census: Census = prepare(root, database_url, TEACHERS)
    warm, measured = census.teachers[:WARM_UP_TEACHERS], census.teachers[WARM_UP_TEACHERS:]
    env = server_env(census, dict(os.environ))
    bare_env = {k: v for k, v in os.environ.items() if not k.startswith("XINAN_")}
    app_windows: list[list[dict[str, Any]]] = []
    with (
        gunicorn("benchmarks._bare_app:app", bare_env, root / "bare.log", "/ping") as bare,
        gunicorn("app:create_app()", env, root / "server.log", "/healthz") as server,
    ):
        warm_up = _load(server.port, "survey", 60.0, warm, root, processes=1, threads=2)
        ceiling_windows = [_ceiling_window(bare.port, root)]
        server_cpu = load_cpu = 0.0
        for n in range(ROUNDS):
            cpu_before, load_before = server.cpu_seconds(), _children_cpu()
            teachers = measured[n::ROUNDS]  # every teacher answers once
            window = _load(server.port, "survey", SURVEY_SECONDS / ROUNDS, teachers, root)
            app_windows.append(window)
            server_cpu += server.cpu_seconds() - cpu_before
            load_cpu += _children_cpu() - load_before
            ceiling_windows.append(_ceiling_window(bare.port, root))
    ceiling = _rate_over(ceiling_windows, "requests")
    results = [r for window in app_windows for r in window]
    receipts = {k: v for r in (*warm_up, *results) for k, v in r["receipts"].items()}
    stored = check_stored(census, receipts)
    submit_ms = np.array([ms for r in results for ms in r["submit_ms"]] or [np.nan])
    error_kinds: dict[str, int] = {}
    for r in (*warm_up, *results):
        for kind, count in r["errors"].items():
            error_kinds[kind] = error_kinds.get(kind, 0) + count
    requests_per_s = _rate_over(app_windows, "requests")
    surveys = sum(r["surveys"] for r in results)
    figures: dict[str, Any] = {
        "surveys_per_s": round(_rate_over(app_windows, "surveys"), 2),
        "requests_per_s": round(requests_per_s, 1),
        "framework_ceiling_per_s": round(ceiling, 1),
        "ratio": round(requests_per_s / ceiling, 3),
        "submit_p50_ms": round(float(np.percentile(submit_ms, 50)), 1),
        "submit_p99_ms": round(float(np.percentile(submit_ms, 99)), 1),
        "errors": sum(error_kinds.values()),
        "lost": stored["lost"],
        "duplicates": stored["duplicates"],
        "surveys": surveys,
        "requests": sum(r["requests"] for r in results),
        "concurrent_teachers": LOAD_PROCESSES * THREADS_PER_PROCESS,
        # CPU per complete survey: steadier than rates when other work shares the machine.
        "server_cpu_ms_per_survey": round(1000 * server_cpu / max(surveys, 1), 1),
        "load_cpu_ms_per_survey": round(1000 * load_cpu / max(surveys, 1), 1),
    }
    if error_kinds:
        figures["error_kinds"] = error_kinds
    return figures


def _postgres(root: Path) -> dict[str, Any]:
    with throwaway_cluster() as admin_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "xinan_bench"'))
        admin.dispose()
        return measure(root, admin_url.rsplit("/", 1)[0] + "/xinan_bench")


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind, so every server and the cluster are cleaned up


def run() -> dict[str, object]:
    """Both backends, one after the other; the figures of each."""
    signal.signal(signal.SIGTERM, _terminate)
    with tempfile.TemporaryDirectory(prefix="xinan-bench-submit-") as tmp:
        root = Path(tmp)
        sqlite = measure(root / "sqlite", f"sqlite:///{root / 'sqlite' / 'instance' / 'xinan.db'}")
        print(f"sqlite: {json.dumps(sqlite)}", file=sys.stderr, flush=True)
        postgresql = _postgres(root / "postgresql")
    return {"sqlite": sqlite, "postgresql": postgresql}
