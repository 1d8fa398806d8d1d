"""Load and check instrument files (``instruments/*.toml``) against the schema.

Every problem raises :class:`~instruments.schema.SchemaError` naming the file and the field.
The checks go beyond types: ids are unique, reverse-keyed items, score items and flags refer
to existing items, missing-data rules fit their method, option values are distinct, and bands
tile every attainable score value exactly (see :mod:`instruments.attainable`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from instruments.attainable import attainable
from instruments.bands import read_band_set
from instruments.model import (
    Instrument,
    Item,
    ItemFlag,
    Missing,
    Option,
    PublishedReliability,
    ReliableChange,
    Score,
)
from instruments.schema import SchemaError, Table, read_toml

INSTRUMENTS_DIR = Path(__file__).resolve().parent
UNVALIDATED = "project translation, not validated"
SCHEMA_VERSION = 1


def load_instrument(path: Path | str) -> Instrument:
    """Load one instrument file and check it; raise ``SchemaError`` naming file and field."""
    path = Path(path)
    t = read_toml(path)
    if t.integer("schema_version", 1) != SCHEMA_VERSION:
        raise t.error("schema_version", f"must be {SCHEMA_VERSION}")
    if t.string("id") != path.stem:
        raise t.error("id", f"must match the file name ({path.stem!r})")
    options = _option_sets(t)
    items = tuple(_item(row, options) for row in t.tables("items"))
    _unique(t, "items", [i.id for i in items])
    index = {it.id: n for n, it in enumerate(items)}
    scores = tuple(_score(row, index) for row in t.tables("scores"))
    _unique(t, "scores", [s.id for s in scores])
    _check_derived(t, scores)
    flags = tuple(_flag(row, index) for row in t.tables("item_flags", required=False))
    _unique(t, "item_flags", [f.id for f in flags])
    base = Instrument(
        id=path.stem,
        name=t.text("name"),
        short_name=t.string("short_name"),
        version=t.string("version"),
        translation_status=t.string("translation_status"),
        licence=t.string("licence"),
        citation=t.string("citation"),
        recall_period=t.text("recall_period"),
        stem=t.text("stem"),
        items=items,
        scores=scores,
        item_flags=flags,
        loinc_panel=t.opt_str("loinc_panel"),
        wording_changes=tuple(t.strings("wording_changes")) if t.has("wording_changes") else (),
        path=str(path),
    )
    bands = tuple(read_band_set(row, base) for row in t.tables("band_sets", required=False))
    _unique(t, "band_sets", [b.score for b in bands])
    rc = (
        read_reliable_change(t.table("reliable_change"), base) if t.has("reliable_change") else None
    )
    published = tuple(
        _published(row, base) for row in t.tables("published_reliability", required=False)
    )
    _unique(t, "published_reliability", [p.score for p in published])
    t.done()
    return replace(base, band_sets=bands, reliable_change=rc, published_reliability=published)


def load_instruments(directory: Path | str = INSTRUMENTS_DIR) -> dict[str, Instrument]:
    """Load every ``*.toml`` instrument file in ``directory``, keyed by id, sorted by id."""
    paths = sorted(Path(directory).glob("*.toml"))
    return {inst.id: inst for inst in (load_instrument(p) for p in paths)}


@lru_cache(maxsize=1)
def instruments_by_id() -> dict[str, Instrument]:
    """Every instrument file under ``instruments/``, loaded and checked once per process."""
    return dict(load_instruments())


def _unique(t: Table, key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for n, i in enumerate(ids):
        if i in seen:
            raise SchemaError(t.path, f"{t.field(key)}[{n}]", f"duplicate id {i!r}")
        seen.add(i)


def _option_sets(t: Table) -> dict[str, tuple[Option, ...]]:
    sets: dict[str, tuple[Option, ...]] = {}
    for row in t.tables("option_sets"):
        sid = row.string("id")
        opts = []
        for o in row.tables("options"):
            opts.append(
                Option(value=o.number("value"), label=o.own_text(), loinc=o.opt_str("loinc"))
            )
            o.done()
        if len({o.value for o in opts}) != len(opts):
            raise row.error("options", "option values must be distinct")
        row.done()
        sets[sid] = tuple(opts)
    return sets


def _item(row: Table, options: dict[str, tuple[Option, ...]]) -> Item:
    set_id = row.string("options")
    if set_id not in options:
        raise row.error("options", f"unknown option set {set_id!r}")
    item = Item(
        id=row.string("id"),
        text=row.own_text(),
        options=options[set_id],
        reverse=row.boolean("reverse", False),
        loinc=row.opt_str("loinc"),
    )
    if len(item.options) < 2:
        raise row.error("options", "an item needs at least two options")
    row.done()
    return item


def _item_refs(row: Table, key: str, index: dict[str, int]) -> tuple[int, ...]:
    if row.data.get(key) == "all":
        row.mark(key)
        return tuple(range(len(index)))
    refs = row.strings(key)
    for r in refs:
        if r not in index:
            raise row.error(key, f"unknown item {r!r}")
    if len(set(refs)) != len(refs):
        raise row.error(key, "lists an item twice")
    return tuple(index[r] for r in refs)


def _score(row: Table, index: dict[str, int]) -> Score:
    sid, label = row.string("id"), row.text("label")
    if row.has("derived_from"):
        base = row.string("derived_from")
        mult = row.number("multiplier")
        row.done()
        return Score(sid, label, "sum", (), Missing("complete"), mult, base, None)
    method = row.choice("method", ("sum", "mean"))
    items = _item_refs(row, "items", index)
    missing = _missing(row.table("missing"), method, len(items))
    score = Score(sid, label, method, items, missing, loinc=row.opt_str("loinc"))  # type: ignore[arg-type]
    row.done()
    return score


def _missing(t: Table, method: str, n_items: int) -> Missing:
    rule = t.choice("rule", ("complete", "prorate", "min_answered"))
    source = t.string("source", "")
    if rule == "complete":
        result = Missing("complete", source=source)
    elif rule == "prorate":
        if method != "sum":
            raise t.error("rule", "proration applies to sums; a mean uses min_answered")
        if t.choice("rounding", ("half_up",)) != "half_up":  # pragma: no cover - one choice
            raise t.error("rounding", "unsupported")
        result = Missing("prorate", max_missing=t.integer("max_missing", 1), source=source)
    else:
        if method != "mean":
            raise t.error("rule", "min_answered applies to means; a sum would not be comparable")
        result = Missing("min_answered", min_answered=t.integer("min_answered", 1), source=source)
    if result.max_missing >= n_items or result.min_answered > n_items:
        raise t.error("rule", f"cannot be met by a score of {n_items} items")
    t.done()
    return result


def _check_derived(t: Table, scores: tuple[Score, ...]) -> None:
    plain = {s.id for s in scores if s.derived_from is None}
    for n, s in enumerate(scores):
        if s.derived_from is not None and s.derived_from not in plain:
            where = f"scores[{n}].derived_from"
            raise SchemaError(
                t.path, where, f"must name a non-derived score, not {s.derived_from!r}"
            )


def _flag(row: Table, index: dict[str, int]) -> ItemFlag:
    flag = ItemFlag(
        id=row.string("id"),
        items=_item_refs(row, "items", index),
        min=row.opt_number("min"),
        max=row.opt_number("max"),
        safety=row.boolean("safety", False),
        label=row.text("label"),
        source=row.string("source"),
    )
    if flag.min is None and flag.max is None:
        raise row.error("min", "a flag needs min, max or both")
    row.done()
    return flag


def read_reliable_change(t: Table, inst: Instrument) -> ReliableChange:
    """Read a ``reliable_change`` table (instrument file or local policy) for ``inst``."""
    score = t.string("score")
    if score not in {s.id for s in inst.scores}:
        raise t.error("score", f"unknown score {score!r} of {inst.id}")
    r = float(t.number("r"))
    if not 0 < r < 1:
        raise t.error("r", "must be strictly between 0 and 1")
    worse = t.choice("worse", ("higher", "lower"))
    sd, sd_source = _normative_sd(t)
    rc = ReliableChange(
        score=score,
        r=r,
        worse=worse,  # type: ignore[arg-type]
        source=t.string("source"),
        normative_sd=sd,
        normative_sd_source=sd_source,
    )
    t.done()
    if len(attainable(inst, score)) < 2:  # pragma: no cover - a constant score
        raise t.error("score", "is constant; change cannot be assessed")
    return rc


def _published(t: Table, inst: Instrument) -> PublishedReliability:
    """One published alpha: of a score the file defines and computes from items, in (0, 1)."""
    score = t.string("score")
    plain = {s.id for s in inst.scores if s.derived_from is None}
    if score not in plain:
        raise t.error("score", f"must name a score computed from items of {inst.id}, not {score!r}")
    alpha = float(t.number("alpha"))
    if not 0 < alpha < 1:
        raise t.error("alpha", "must be strictly between 0 and 1")
    result = PublishedReliability(
        score=score,
        alpha=alpha,
        sample=t.string("sample"),
        source=t.string("source"),
        note=t.opt_str("note") or "",
    )
    t.done()
    return result


def _normative_sd(t: Table) -> tuple[float | None, str]:
    """An optional published SD of the score, which must name its source."""
    sd = t.opt_number("normative_sd")
    if sd is None:
        if t.has("normative_sd_source"):
            raise t.error("normative_sd_source", "given without normative_sd")
        return None, ""
    if sd <= 0:
        raise t.error("normative_sd", "must be greater than 0")
    return float(sd), t.string("normative_sd_source")


__all__ = [
    "INSTRUMENTS_DIR",
    "UNVALIDATED",
    "instruments_by_id",
    "load_instrument",
    "load_instruments",
]
