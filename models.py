"""Imports every model module so that Base.metadata knows all tables (for Alembic and tests).

A feature that adds a model module adds its name here.
"""

import importlib

MODEL_MODULES = (
    "accounts.models",
    "alerts.case_models",
    "alerts.escalation_models",
    "alerts.inbox_models",
    "alerts.models",
    "alerts.outbox",
    "org.models",
    "privacy.audit.models",
    "reports.models",
    "survey.lost_link_models",
    "survey.models",
)

for _module in MODEL_MODULES:
    importlib.import_module(_module)
