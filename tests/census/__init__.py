"""Tests of ``census/``."""
