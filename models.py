"""Imports every model module so that Base.metadata knows all tables (for Alembic and tests)."""

import accounts.models  # noqa: F401
import alerts.case_models  # noqa: F401
import alerts.escalation_models  # noqa: F401
import alerts.inbox_models  # noqa: F401
import alerts.models
import alerts.outbox  # noqa: F401
import org.models  # noqa: F401
import privacy.audit.models  # noqa: F401
import reports.models  # noqa: F401
import survey.lost_link_models
import survey.models  # noqa: F401
