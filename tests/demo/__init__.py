"""Tests of ``demo/``."""
