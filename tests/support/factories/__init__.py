"""Rows for the tests, one small function per noun: ``make_teacher(session, school, **fields)``.

Each factory adds and flushes its rows in the caller's session and returns them; the caller
commits or rolls back. ``org``: schools and teachers; ``census``: waves, invitations, responses
and answers; ``links``: a teacher's link as the flow tests walk it; ``staff``: accounts with
grants; ``cases``: follow-up cases and the staff they reach; ``releases``: a released wave.
"""
