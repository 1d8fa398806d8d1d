"""``flask --app app analysis``: one command group for the response-quality and model commands."""

from __future__ import annotations

from flask.cli import AppGroup

from analysis.jobs import quality
from analysis.model_cli import check, train

analysis_cli = AppGroup(
    "analysis", help="Early analysis: response quality now; train and check the second reader."
)
for command in (quality, train, check):
    analysis_cli.add_command(command)
