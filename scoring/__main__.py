"""Entry point of ``python -m scoring``; never prints a traceback."""

from __future__ import annotations

import sys


def _run() -> int:
    try:
        from scoring.cli import main

        return main()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the contract: a message, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    raise SystemExit(_run())
