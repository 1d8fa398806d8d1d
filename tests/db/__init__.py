"""Tests of ``db/``."""
