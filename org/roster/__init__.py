"""Roster import: CSV or XLSX in, districts, schools and sealed teacher records out."""

from org.roster.report import ImportReport, Problem
from org.roster.service import import_roster

__all__ = ["ImportReport", "Problem", "import_roster"]
