"""A teacher's scores over waves as a small server-rendered SVG: no script, no inline style.

Each scale is drawn against its own range (PHQ-9 0–27, GAD-7 0–21, K10 10–50, WHO-5 0–100 %),
so the lines share one 0–100 % axis and the table under the chart holds the numbers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Response, Wave

# Scale, score within it, range, and the line's colour class (static/xinan.css).
SERIES = (
    ("phq9", "total", 0.0, 27.0, "s-phq9"),
    ("gad7", "total", 0.0, 21.0, "s-gad7"),
    ("k10", "total", 10.0, 50.0, "s-k10"),
    ("who5", "percentage", 0.0, 100.0, "s-who5"),
)
WIDTH, HEIGHT, PAD = 320, 140, 14


@dataclass(frozen=True)
class Point:
    """One wave's scores, for the chart and the table beside it."""

    wave: str
    scores: dict[str, float | None]


@dataclass(frozen=True)
class Line:
    """One scale's polyline in SVG coordinates."""

    scale: str
    css: str
    points: str


def history(session: Session, pseudonym: str) -> list[Point]:
    """The teacher's scores in each wave they answered (withdrawn answers are gone), in order."""
    rows = session.execute(
        select(Wave.name, Response)
        .join(Wave, Wave.id == Response.wave_id)
        .where(Response.pseudonym == pseudonym, Response.scores_sealed.is_not(None))
        .order_by(Wave.opens_at)
    ).all()
    points = []
    for name, response in rows:
        doc = json.loads(response.scores or "{}")
        scores = {s: doc.get(s, {}).get("scores", {}).get(k) for s, k, *_ in SERIES}
        points.append(Point(name, scores))
    return points


def lines(points: Sequence[Point]) -> list[Line]:
    """Polylines of each scale present, each scaled to its own range."""
    if not points:
        return []
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    drawn = []
    for scale, _key, low, high, css in SERIES:
        coords = []
        for i, point in enumerate(points):
            value = point.scores.get(scale)
            if value is None:
                continue
            share = min(max((value - low) / (high - low), 0.0), 1.0)
            coords.append(f"{PAD + i * step:.1f},{HEIGHT - PAD - share * (HEIGHT - 2 * PAD):.1f}")
        if coords:
            drawn.append(Line(scale, css, " ".join(coords)))
    return drawn
