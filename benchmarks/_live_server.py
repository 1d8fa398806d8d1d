"""A gunicorn server for a benchmark, as in production: sync workers on 127.0.0.1, stopped (its
whole process group) however the ``with`` block ends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from config.settings import PROJECT_ROOT
from devservices.postgres import free_port

WORKERS = 2
START_SECONDS = 60
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    """A running gunicorn: its port and its master's process id."""

    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the master and its workers have used so far (Linux /proc)."""
        return sum(_cpu(pid) for pid in (self.pid, *_children(self.pid)))


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited early; see {log}:\n{log.read_text()[-3000:]}")
        # Only ever http://127.0.0.1:<port>, built above.
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310
            if reply.status == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer {url} within {START_SECONDS} s")
        time.sleep(0.2)


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], log: Path, ready_path: str) -> Iterator[Server]:
    """Serve ``app_spec`` with 2 sync workers; yields the port once ``ready_path`` answers 200."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--error-logfile", "-", app_spec,
    ]  # fmt: skip
    with log.open("ab") as sink:
        server = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_ready(f"http://127.0.0.1:{port}{ready_path}", server, log)
        yield Server(port, server.pid)
    finally:
        stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    """TERM the server's process group, then KILL it if it lingers."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # any worker the master left behind
        return
