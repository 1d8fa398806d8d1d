"""Typed, frozen description of one instrument, as the loader builds it from its TOML file.

Nothing here computes a score; :mod:`scoring` does that.  Values of answer options and band
bounds are kept as :class:`fractions.Fraction` so the loader can check band coverage exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Literal

MissingRule = Literal["complete", "prorate", "min_answered"]
Method = Literal["sum", "mean"]
Direction = Literal["higher", "lower"]
BandSource = Literal["author", "local_policy"]


@dataclass(frozen=True)
class Text:
    """A text in Simplified Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``"zh-CN"`` or ``"en"``)."""
        return self.zh if lang == "zh-CN" else self.en


@dataclass(frozen=True)
class Option:
    """One answer option: the published value and its labels."""

    value: Fraction
    label: Text
    loinc: str | None = None


@dataclass(frozen=True)
class Item:
    """One question, in the published item order."""

    id: str
    text: Text
    options: tuple[Option, ...]
    reverse: bool = False
    loinc: str | None = None

    @property
    def values(self) -> tuple[Fraction, ...]:
        """The option values, ascending."""
        return tuple(sorted(o.value for o in self.options))

    @cached_property
    def codes(self) -> Mapping[str, int]:
        """Each option's value as a form sends it (the published integer value, as text).

        Built once: every posted and every stored answer is checked against it."""
        codes = {}
        for option in self.options:
            if option.value.denominator != 1:
                raise ValueError(f"{self.id}: a form option needs an integer value")
            codes[str(option.value.numerator)] = int(option.value)
        return MappingProxyType(codes)


@dataclass(frozen=True)
class Missing:
    """Missing-data rule of one score (see the module docstring of :mod:`instruments`)."""

    rule: MissingRule
    max_missing: int = 0
    min_answered: int = 0
    source: str = ""


@dataclass(frozen=True)
class Score:
    """A score: a sum or mean over items, or a multiple of another score (``derived_from``)."""

    id: str
    label: Text
    method: Method
    items: tuple[int, ...]
    missing: Missing
    multiplier: Fraction = Fraction(1)
    derived_from: str | None = None
    loinc: str | None = None


@dataclass(frozen=True)
class Band:
    """One band: scores from ``min`` (inclusive) up to the next band's ``min``."""

    code: str
    label: Text
    min: Fraction
    max: Fraction | None = None


@dataclass(frozen=True)
class BandSet:
    """Ordered bands covering every attainable value of one score."""

    score: str
    source: BandSource
    citation: str
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class ItemFlag:
    """A flag raised when any listed item is answered within ``[min, max]``."""

    id: str
    items: tuple[int, ...]
    min: Fraction | None
    max: Fraction | None
    safety: bool
    label: Text
    source: str


@dataclass(frozen=True)
class ReliableChange:
    """Test–retest reliability for Jacobson & Truax reliable change on one score.

    ``normative_sd`` is a published SD of the score in a reference population, with its source:
    used only when the previous wave had too few answers to give its own SD (None: no such SD is
    pinned, and change is then not assessed).
    """

    score: str
    r: float
    worse: Direction
    source: str
    normative_sd: float | None = None
    normative_sd_source: str = ""


@dataclass(frozen=True)
class PublishedReliability:
    """A published Cronbach's alpha of one score, shown beside the census's own.

    ``sample`` says in whom it was measured, ``source`` is the full citation, and ``note`` says
    anything a reader comparing it with this census must know (a reworded scale, say).
    """

    score: str
    alpha: float
    sample: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class Instrument:
    """One validated scale, loaded from ``instruments/<id>.toml``."""

    id: str
    name: Text
    short_name: str
    version: str
    translation_status: str
    licence: str
    citation: str
    recall_period: Text
    stem: Text
    items: tuple[Item, ...]
    scores: tuple[Score, ...]
    band_sets: tuple[BandSet, ...] = ()
    item_flags: tuple[ItemFlag, ...] = ()
    reliable_change: ReliableChange | None = None
    published_reliability: tuple[PublishedReliability, ...] = ()
    loinc_panel: str | None = None
    wording_changes: tuple[str, ...] = ()
    path: str = field(default="", compare=False)

    @property
    def n_items(self) -> int:
        """Number of items the respondent answers."""
        return len(self.items)

    def score(self, score_id: str) -> Score:
        """The score called ``score_id``; ``KeyError`` if there is none."""
        for s in self.scores:
            if s.id == score_id:
                return s
        raise KeyError(score_id)

    def item_index(self, item_id: str) -> int:
        """Position of the item called ``item_id``; ``KeyError`` if there is none."""
        for i, it in enumerate(self.items):
            if it.id == item_id:
                return i
        raise KeyError(item_id)

    def score_range(self, score_id: str) -> tuple[Fraction, Fraction]:
        """The lowest and highest value a score can take, from its items' option values."""
        score = self.score(score_id)
        if score.derived_from is not None:
            low, high = self.score_range(score.derived_from)
            return low * score.multiplier, high * score.multiplier
        items = [self.items[i] for i in score.items]
        lows = [min(it.values) for it in items]
        highs = [max(it.values) for it in items]
        if score.method == "mean":
            return min(lows), max(highs)
        return sum(lows, Fraction(0)) * score.multiplier, sum(highs, Fraction(0)) * score.multiplier

    def band_set(self, score_id: str) -> BandSet | None:
        """The band set of one score, or ``None``."""
        return next((b for b in self.band_sets if b.score == score_id), None)

    @property
    def safety_items(self) -> tuple[int, ...]:
        """Positions of items named by a safety flag."""
        return tuple(sorted({i for f in self.item_flags if f.safety for i in f.items}))
