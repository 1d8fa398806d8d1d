"""Caring follow-up: cases and outreach, their states, deadlines and routing, the deadline sweep,
the case pages, and what staff are told about them (sent through ``notifications``)."""
