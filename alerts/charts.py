"""A teacher's scores over waves as a small server-rendered SVG: no script, no inline style.

Each scale is drawn against its own range, read from its instrument file, so the lines share one
0–100 % axis and the table under the chart holds the numbers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Response, Wave
from instruments import load_instruments

# The scales drawn, and the score of each; its line's colour class is ``s-<scale>`` (xinan.css).
SCALES = (("phq9", "total"), ("gad7", "total"), ("k10", "total"), ("who5", "percentage"))
WIDTH, HEIGHT, PAD = 320, 140, 14
Series = tuple[str, str, float, float, str]


@lru_cache(maxsize=1)
def series() -> tuple[Series, ...]:
    """Scale, score within it, its lowest and highest value, and the line's colour class."""
    instruments = load_instruments()
    drawn = []
    for scale, score in SCALES:
        low, high = instruments[scale].score_range(score)
        drawn.append((scale, score, float(low), float(high), f"s-{scale}"))
    return tuple(drawn)


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
        scores = {s: doc.get(s, {}).get("scores", {}).get(k) for s, k, *_ in series()}
        points.append(Point(name, scores))
    return points


def lines(points: Sequence[Point]) -> list[Line]:
    """Polylines of each scale present, each scaled to its own range."""
    if not points:
        return []
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    drawn = []
    for scale, _key, low, high, css in series():
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
