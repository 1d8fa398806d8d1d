"""Tests of ``survey/``."""
