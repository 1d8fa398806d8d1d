"""The census as teachers answer it and administrators run it.

``survey.teacher`` holds the teacher's pages (link, gate, consent, drafts, submission, feedback),
``survey.invitations`` the invitations, links and messages, ``survey.waves`` the waves (rules,
service, pages, forecast, sheets, CLI), and ``survey.jobs`` the scheduler's survey sweeps.
"""
