"""What the teacher sees after answering: help lines, and their own results in kind, plain words.

No band names such as "severe" reach the teacher: each instrument's result is told as one of three
gentle sentences by its level, with the score and its possible range for those who want numbers.
The help lines come from ``config/helplines.toml``; the city's own line is shown only when the
operator has set it.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from instruments import Instrument, Score, Text, instruments_by_id
from scoring import default_policy
from survey.teacher.flow import page_order

HELPLINES_FILE = Path(__file__).resolve().parents[2] / "config" / "helplines.toml"


@dataclass(frozen=True)
class HelpLine:
    """One number to call, with its name in both languages."""

    number: str
    label: Text


def load_helplines(path: Path = HELPLINES_FILE) -> tuple[HelpLine, ...]:
    """The national lines, then the city's own when configured (an empty number is left out)."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    lines = [_line(entry, path) for entry in raw.get("lines", [])]
    city = raw.get("city", {})
    if str(city.get("number", "")).strip():
        lines.append(_line(city, path))
    if not lines:
        raise ValueError(f"{path}: no help lines configured")
    return tuple(lines)


def _line(entry: dict[str, Any], path: Path) -> HelpLine:
    try:
        number = str(entry["number"]).strip()
        return HelpLine(number=number, label=Text(zh=str(entry["zh-CN"]), en=str(entry["en"])))
    except KeyError as missing:
        raise ValueError(f"{path}: a help line lacks {missing}") from None


@dataclass(frozen=True)
class ScoreLine:
    """One score of one instrument, with the range it can take."""

    label: str
    value: str
    lowest: str
    highest: str


@dataclass(frozen=True)
class InstrumentFeedback:
    """One instrument's result as the teacher reads it."""

    name: str
    tone: str  # "steady", "strain" or "heavy": picks a sentence in the template
    scores: tuple[ScoreLine, ...]
    local_policy: bool


TONES = {"low": "steady", "moderate": "strain", "high": "heavy", "crisis": "heavy"}


def results_for(
    battery: Sequence[str], scores_json: str | None, lang: str
) -> list[InstrumentFeedback]:
    """The teacher's results, in page order, from the sealed scores document."""
    if not scores_json:
        return []
    doc = json.loads(scores_json)
    known = instruments_by_id()
    out = []
    for inst_id in page_order(battery):
        entry = doc.get(inst_id)
        if entry is None:
            continue
        inst = known[inst_id]
        lines = tuple(
            _score_line(inst, s, entry["scores"].get(s.id), lang)
            for s in inst.scores
            if entry["scores"].get(s.id) is not None
        )
        out.append(
            InstrumentFeedback(
                name=inst.name.get(lang),
                tone=TONES.get(entry.get("level") or "", "none"),
                scores=lines,
                local_policy=any(b.source == "local_policy" for b in inst.band_sets),
            )
        )
    return out


def _score_line(inst: Instrument, score: Score, value: float, lang: str) -> ScoreLine:
    low, high = inst.score_range(score.id)
    return ScoreLine(
        label=score.label.get(lang),
        value=_number(value),
        lowest=_number(low),
        highest=_number(high),
    )


def _number(value: float | Fraction) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


@dataclass(frozen=True)
class ChangeLine:
    """How one score changed since the teacher's last time, in words the template picks by
    ``verdict``: ``heavier`` / ``lighter`` (symptoms), ``lower`` / ``higher`` (well-being),
    ``same`` (no reliable change), or None (not assessed: last time's wave was too small)."""

    name: str
    before: str
    now: str
    verdict: str | None


# (direction in the scores document, the instrument's worse direction) -> verdict
VERDICTS = {
    ("deterioration", "higher"): "heavier",
    ("deterioration", "lower"): "lower",
    ("improvement", "higher"): "lighter",
    ("improvement", "lower"): "higher",
}


def earlier_waves(scores_json: str | None) -> set[int]:
    """The waves the scores document's changes were judged against."""
    doc = json.loads(scores_json) if scores_json else {}
    return {int(entry["change"]["since_wave"]) for entry in doc.values() if entry.get("change")}


def changes_for(
    battery: Sequence[str], scores_json: str | None, earlier_docs: Mapping[int, Mapping[str, Any]]
) -> list[ChangeLine]:
    """Each change the submission judged, in page order; ``earlier_docs`` holds the scores
    documents of the earlier waves still kept, by wave id. A change against answers withdrawn
    or erased since is not told: what was worked out from them is not shown again."""
    if not scores_json:
        return []
    doc = json.loads(scores_json)
    policy = default_policy()
    out = []
    for inst_id in page_order(battery):
        change = doc.get(inst_id, {}).get("change")
        setting = policy.reliable_change(inst_id)
        if not change or setting is None:
            continue
        now = doc[inst_id]["scores"].get(setting.score)
        before_doc = earlier_docs.get(int(change["since_wave"]), {})
        before = before_doc.get(inst_id, {}).get("scores", {}).get(setting.score)
        direction = change.get("direction")
        if now is None or before is None:
            continue
        out.append(
            ChangeLine(
                name=instruments_by_id()[inst_id].short_name,
                before=_number(before),
                now=_number(now),
                verdict=None
                if direction is None
                else VERDICTS.get((direction, setting.worse), "same"),
            )
        )
    return out
