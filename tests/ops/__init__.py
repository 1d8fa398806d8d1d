"""Tests of ``ops/``."""
