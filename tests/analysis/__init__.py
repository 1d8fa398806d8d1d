"""Tests of ``analysis/``."""
