"""Run one benchmark by name: ``python -m benchmarks NAME``; its last output line is JSON."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    """Names of the benchmark modules in this package."""
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    """Import ``benchmarks.NAME`` and print the JSON object its ``run()`` returns."""
    names = available()
    if len(argv) != 1 or argv[0] not in names:
        print(f"usage: python -m benchmarks NAME   (one of: {', '.join(names)})", file=sys.stderr)
        return 2
    module = importlib.import_module(f"benchmarks.{argv[0]}")
    result = module.run()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
