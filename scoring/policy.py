"""The risk policy: a data file (default ``config/risk_policy.toml``) read by path and checked.

A policy holds rules ``(instrument, score | item | flag, min, max) -> level`` with reason texts,
and optional local-policy bands and reliable-change settings for instruments whose authors give
none.  :func:`load_policy` checks it against the instrument files like the instrument loader
does (``SchemaError`` naming file and field), and refuses a policy that would not raise
``crisis`` for every endorsed safety item.  This module never imports ``config``: the default
path is computed from this file's location.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

from instruments import BandSet, Instrument, ReliableChange, SchemaError, Text, load_instruments
from instruments.attainable import attainable
from instruments.bands import read_band_set
from instruments.loader import read_reliable_change
from instruments.schema import Table, read_toml
from scoring.codes import CRISIS, LEVEL_CODES, flag_names

DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[1] / "config" / "risk_policy.toml"
MAX_RULES = 64
RuleKind = Literal["score", "item", "flag"]


@dataclass(frozen=True)
class Rule:
    """One rule: fires when ``min <= value <= max`` (or the flag is set); bit ``index``."""

    id: str
    index: int
    level: int
    instrument: str
    kind: RuleKind
    target: str
    min: Fraction | None
    max: Fraction | None
    reason: Text
    source: str


@dataclass(frozen=True)
class RiskPolicy:
    """A checked risk policy, bound to the instruments it was checked against."""

    id: str
    version: str
    description: str
    rules: tuple[Rule, ...]
    instruments: Mapping[str, Instrument]
    local_bands: Mapping[tuple[str, str], BandSet] = field(default_factory=dict)
    local_change: Mapping[str, ReliableChange] = field(default_factory=dict)
    path: str = ""

    def band_set(self, instrument: str, score: str) -> BandSet | None:
        """The author band set of a score, else the local-policy one, else ``None``."""
        own = self.instruments[instrument].band_set(score)
        return own if own is not None else self.local_bands.get((instrument, score))

    def reliable_change(self, instrument: str) -> ReliableChange | None:
        """The published reliable-change setting, else the locally configured one."""
        own = self.instruments[instrument].reliable_change
        return own if own is not None else self.local_change.get(instrument)


def load_policy(
    path: Path | str = DEFAULT_POLICY_PATH, instruments: Mapping[str, Instrument] | None = None
) -> RiskPolicy:
    """Load and check a risk policy file; ``SchemaError`` names the file and the field."""
    registry = dict(instruments) if instruments is not None else load_instruments()
    t = read_toml(Path(path))
    if t.integer("schema_version", 1) != 1:
        raise t.error("schema_version", "must be 1")
    bands = {}
    for row in t.tables("band_sets", required=False):
        inst = _instrument(row, registry)
        if inst.band_set(row.data.get("score", "")) is not None:
            raise row.error("score", "already has author bands; local bands may not replace them")
        if row.data.get("source") != "local_policy":
            raise row.error("source", "bands in a policy file must be 'local_policy'")
        band_set = read_band_set(row, inst)
        bands[(inst.id, band_set.score)] = band_set
    change = {}
    for row in t.tables("reliable_change", required=False):
        inst = _instrument(row, registry)
        if inst.reliable_change is not None or inst.id in change:
            raise row.error("instrument", f"{inst.id} already has a reliable-change setting")
        change[inst.id] = read_reliable_change(row, inst)
    rules = tuple(_rule(row, n, registry, change) for n, row in enumerate(t.tables("rules")))
    _check_rules(t, rules, registry)
    policy = RiskPolicy(
        id=t.string("id"),
        version=t.string("version"),
        description=t.string("description"),
        rules=rules,
        instruments=registry,
        local_bands=bands,
        local_change=change,
        path=str(path),
    )
    t.done()
    return policy


def _instrument(row: Table, registry: Mapping[str, Instrument]) -> Instrument:
    iid = row.string("instrument")
    if iid not in registry:
        raise row.error("instrument", f"unknown instrument {iid!r}")
    return registry[iid]


def _rule(
    row: Table, index: int, registry: Mapping[str, Instrument], change: Mapping[str, object]
) -> Rule:
    inst = _instrument(row, registry)
    kinds = [k for k in ("score", "item", "flag") if row.has(k)]
    if len(kinds) != 1:
        raise row.error("score", "a rule needs exactly one of score, item or flag")
    kind: RuleKind = kinds[0]  # type: ignore[assignment]
    target = row.string(kind)
    rule = Rule(
        id=row.string("id"),
        index=index,
        level=LEVEL_CODES[row.choice("level", ("moderate", "high", "crisis"))],
        instrument=inst.id,
        kind=kind,
        target=target,
        min=row.opt_number("min"),
        max=row.opt_number("max"),
        reason=row.text("reason"),
        source=row.string("source"),
    )
    row.done()  # a misspelt field is reported as such, before what it causes
    _check_target(row, rule, inst, inst.id in change or inst.reliable_change is not None)
    return rule


def _check_target(row: Table, rule: Rule, inst: Instrument, has_change: bool) -> None:
    if rule.kind == "flag":
        if rule.target not in flag_names(inst):
            raise row.error("flag", f"unknown flag {rule.target!r} of {inst.id}")
        if rule.target.startswith("reliable_") and not has_change:
            raise row.error("flag", f"{inst.id} has no reliable-change setting")
        if rule.min is not None or rule.max is not None:
            raise row.error("min", "a flag rule takes no min or max")
        return
    if rule.min is None and rule.max is None:
        raise row.error("min", "a score or item rule needs min, max or both")
    if rule.kind == "score":
        if rule.target not in {s.id for s in inst.scores}:
            raise row.error("score", f"unknown score {rule.target!r} of {inst.id}")
        values: frozenset[Fraction] = attainable(inst, rule.target)
    else:
        if rule.target not in {i.id for i in inst.items}:
            raise row.error("item", f"unknown item {rule.target!r} of {inst.id}")
        values = frozenset(inst.items[inst.item_index(rule.target)].values)
    if not any(_within(v, rule.min, rule.max) for v in values):
        raise row.error("min", "no attainable value satisfies this rule; check min and max")


def _within(v: Fraction, lo: Fraction | None, hi: Fraction | None) -> bool:
    return (lo is None or v >= lo) and (hi is None or v <= hi)


def _check_rules(t: Table, rules: tuple[Rule, ...], registry: Mapping[str, Instrument]) -> None:
    if len(rules) > MAX_RULES:
        raise t.error("rules", f"at most {MAX_RULES} rules (reasons are a 64-bit mask)")
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise t.error("rules", "rule ids must be distinct")
    for inst in registry.values():
        for flag in inst.item_flags:
            if flag.safety and not _covers(rules, inst, flag.items, flag.min, flag.max):
                raise t.error(
                    "rules",
                    f"no crisis rule covers safety flag {flag.id!r} of {inst.id}: an endorsed "
                    "safety item must always be crisis",
                )


def _covers(
    rules: tuple[Rule, ...],
    inst: Instrument,
    items: tuple[int, ...],
    lo: Fraction | None,
    hi: Fraction | None,
) -> bool:
    """Whether, for each safety item, crisis rules fire on every value that raises the flag."""
    for i in items:
        item = inst.items[i]
        needed = [v for v in item.values if _within(v, lo, hi)]
        crisis = [
            r for r in rules if r.level == CRISIS and r.kind == "item" and r.target == item.id
        ]
        if not all(any(_within(v, r.min, r.max) for r in crisis) for v in needed):
            return False
    return True


__all__ = ["DEFAULT_POLICY_PATH", "RiskPolicy", "Rule", "SchemaError", "load_policy"]
