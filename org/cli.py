"""``flask --app app roster import PATH``."""

from __future__ import annotations

from flask.cli import AppGroup

roster_cli = AppGroup("roster", help="The teachers' roster.")
