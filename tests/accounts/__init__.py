"""Tests of ``accounts/``."""
