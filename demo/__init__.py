"""Synthetic demo data for the embedded default (clearly marked synthetic)."""
