"""Tests of ``config/``."""
