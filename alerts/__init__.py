"""Caring follow-up: cases and outreach, states and deadlines, routing, scheduler jobs, notices."""
