"""The release tests' independent judges: a released report read back from each format a reader
gets (``published``), what every release must hold (``release_audit``), the linear-programming
auditor of hidden counts (``auditor``), raw follow-up cases and their identities (``casework``,
``linked``), and a population whose means would pin a count (``means``).
"""
