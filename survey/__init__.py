"""The census as teachers answer it and administrators run it.

``survey.teacher`` holds the teacher's pages (link, gate, consent, drafts, submission, feedback),
``survey.invitations`` the invitations, links, messages and their sweeps, and ``survey.waves`` the
waves (rules, service, pages, forecast, sheets, CLI, the open/close sweep). It reaches alerts only
through ``alerts.door`` and announces a release with ``census.signals.wave_released``.
"""
