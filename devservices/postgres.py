"""A throwaway PostgreSQL cluster on 127.0.0.1, for tests and benchmarks.

``python -m devservices.postgres CMD ...`` starts a cluster, runs CMD with
``XINAN_TEST_POSTGRES_URL`` set to its admin URL, and removes the cluster afterwards.
The server refuses to run as root, so as root it runs as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ENV_VAR = "XINAN_TEST_POSTGRES_URL"
SUPERUSER = "xinan"


def find_bin_dir() -> Path:
    """The folder holding initdb and pg_ctl, installing Debian's server package if needed."""
    found = _search_bin_dir()
    if found is None:
        _install_server()
        found = _search_bin_dir()
    if found is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) were not found")
    return found


def _search_bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _install_server() -> None:
    if os.geteuid() != 0:
        raise RuntimeError("PostgreSQL is not installed; install Debian's `postgresql` package")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "postgresql"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    """Initialise, start and finally delete a private cluster with trust auth on loopback."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="xinan-pg-"))
        self.data = self.root / "data"
        self._as_user = _unprivileged_user()

    @property
    def url(self) -> str:
        """The superuser URL of the cluster's ``postgres`` database."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> str:
        """Create and start the cluster; returns its admin URL."""
        if self._as_user is not None:
            pw = pwd.getpwnam(self._as_user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        self._pg_ctl_start()
        return self.url

    def _pg_ctl_start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def pause(self) -> None:
        """Stop the server but keep the cluster (to test an unreachable database)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start a paused cluster again on the same port."""
        self._pg_ctl_start()

    def stop(self) -> None:
        """Stop the server and delete the cluster."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self._as_user is not None:
            command = ["runuser", "-u", self._as_user, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root, but no `postgres` user can run the server") from None
    return "postgres"


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A cluster for the duration of a ``with`` block; yields its admin URL."""
    cluster = ThrowawayPostgres()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def main(argv: list[str]) -> int:
    """Run ``argv`` as a command with a throwaway cluster's URL in the environment."""
    if not argv:
        print("usage: python -m devservices.postgres COMMAND [ARGS...]", file=sys.stderr)
        return 2
    # A SIGTERM (CI's timeout, `timeout`, a killed job) unwinds like Ctrl-C: the command's whole
    # process group is killed and the cluster stopped and deleted, instead of outliving us.
    signal.signal(signal.SIGTERM, _exit_on_term)
    with throwaway_cluster() as url:
        command = subprocess.Popen(argv, env={**os.environ, ENV_VAR: url}, start_new_session=True)
        try:
            return command.wait()
        finally:
            if command.poll() is None:
                os.killpg(command.pid, signal.SIGKILL)
                command.wait()


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
