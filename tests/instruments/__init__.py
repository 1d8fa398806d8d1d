"""Tests of ``instruments/``."""
