"""Tests of ``alerts/``."""
