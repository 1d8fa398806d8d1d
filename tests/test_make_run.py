"""DESIGN.md contract 1: `make run` with standard input closed migrates, seeds, prints the address
and serves /healthz, against an instance folder of the test's own."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from config.settings import PROJECT_ROOT
from devservices.postgres import free_port


def _lines(stream: object, sink: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.put(line)


def _get_when_listening(url: str) -> object:
    # The address is printed just before the server binds its socket.
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                assert reply.status == 200
                return json.load(reply)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_make_run_serves_the_demo(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env.update({"XINAN_INSTANCE_PATH": str(tmp_path / "instance"), "PORT": str(port)})
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(server.stdout, output), daemon=True).start()
    seen: list[str] = []
    try:
        while f"http://127.0.0.1:{port}" not in "".join(seen):
            seen.append(output.get(timeout=240))
        health = _get_when_listening(f"http://127.0.0.1:{port}/healthz")
        assert health == {"status": "ok", "database": "ok", "scheduler": "running"}
        assert (tmp_path / "instance" / "keys.json").stat().st_mode & 0o777 == 0o600
        text = "".join(seen)
        assert "Traceback" not in text
        assert "3000 synthetic teachers" in text, "the demo seed should report its teachers"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()
