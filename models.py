"""Imports every model module so that Base.metadata knows all tables (for Alembic and tests)."""

import org.models  # noqa: F401
import accounts.models  # noqa: F401
import privacy.audit.models  # noqa: F401
