"""Tests of ``notifications/``."""
