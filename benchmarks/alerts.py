"""``python -m benchmarks alerts``: crisis-to-queue latency and the deadline sweep.

``visible_p50_ms``/``visible_p99_ms``: from a crisis submission's HTTP answer until the case is in
the assignee's queue, while 32 simulated teachers complete surveys against gunicorn (target p99 <
1000). ``sweep_seconds``: with 100,000 open cases of which 10,000 have an escalation due, the time
until every due step is done (target < 2). Both on one throwaway PostgreSQL cluster, each in its
own database and instance folder; everything is removed afterwards.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from benchmarks import alerts_visible
from benchmarks.alerts_sweep import measure
from devservices.postgres import throwaway_cluster


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind, so the server and the cluster are cleaned up


def run() -> dict[str, Any]:
    """Build a cluster and two instances in a temporary folder, measure, clean up."""
    signal.signal(signal.SIGTERM, _terminate)
    with (
        tempfile.TemporaryDirectory(prefix="xinan-bench-alerts-") as tmp,
        throwaway_cluster() as url,
    ):
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "xinan_visible"'))
        admin.dispose()
        visible_url = url.rsplit("/", 1)[0] + "/xinan_visible"
        visible = alerts_visible.measure(Path(tmp) / "visible", visible_url)
        print(f"visible: {json.dumps(visible)}", file=sys.stderr, flush=True)
        result = measure(Path(tmp), url)
    return {**visible, **result}
