"""``python -m benchmarks alerts``: crisis-to-queue latency (not yet) and the deadline sweep.

Prints ``sweep_seconds`` — with 100,000 open cases of which 10,000 have an escalation due, the
time until every due step is done (target < 2) — on a throwaway PostgreSQL cluster. The
``visible_p50_ms``/``visible_p99_ms`` figures (crisis submission to the assignee's queue, under
32 simulated teachers against gunicorn) are not measured yet and are reported as null.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks.alerts_sweep import measure
from devservices.postgres import throwaway_cluster


def run() -> dict[str, Any]:
    """Build a cluster and an instance in a temporary folder, measure, clean up."""
    with (
        tempfile.TemporaryDirectory(prefix="xinan-bench-alerts-") as tmp,
        throwaway_cluster() as url,
    ):
        result = measure(Path(tmp), url)
    return {"visible_p50_ms": None, "visible_p99_ms": None, **result}
