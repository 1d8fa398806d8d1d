"""The case chart draws each scale against the range its instrument file gives it."""

from __future__ import annotations

from alerts.charts import series


def test_chart_series_take_their_ranges_from_the_instruments() -> None:
    assert series() == (
        ("phq9", "total", 0.0, 27.0, "s-phq9"),
        ("gad7", "total", 0.0, 21.0, "s-gad7"),
        ("k10", "total", 10.0, 50.0, "s-k10"),
        ("who5", "percentage", 0.0, 100.0, "s-who5"),
    )
