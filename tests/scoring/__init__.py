"""Tests of ``scoring/``."""
