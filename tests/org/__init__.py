"""Tests of ``org/``."""
