"""Imports every model module so that Base.metadata knows all tables (for Alembic and tests).

A feature that adds a model module adds its name here.
"""

import importlib

MODEL_MODULES = (
    "accounts.models",
    "alerts.case_models",
    "alerts.escalation_models",
    "notifications.inbox_models",
    "alerts.models",
    "notifications.models",
    "org.models",
    "privacy.audit.models",
    "reports.models",
    "survey.invitations.models",
    "census.models",
    "census.quality",
    "analysis.model_models",
)

for _module in MODEL_MODULES:
    importlib.import_module(_module)
