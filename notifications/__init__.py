"""Telling people things: the e-mail/SMS outbox, its channels and delivery sweep, the staff inbox.

A base-layer service: every message is a row first, keyed so it is created once, sent by a sweep
with retries, and erased after ``retention_notifications_days``. Invitations, reminders, PIN codes,
case deadlines and account notices all go through it; it imports no feature.
"""
