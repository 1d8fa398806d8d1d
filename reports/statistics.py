"""The statistics of a release: scale reliability, adjusted risk by group, change by district.

Computed once when the wave is released, from its respondents (submitted, consent not
withdrawn): their sealed answers and their risk levels are read here, in the same order as
``reports.collect`` reads their groups, and dropped once the tables are made. The release stores
the tables as strings, and the few figures the next release compares with (its alphas and the
district shares it published), so a later withdrawal never moves a published figure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Response, Wave
from instruments import instruments_by_id
from org.models import Teacher
from privacy.sealing import SealError, binding, open_sealed
from privacy.vault import key_ring, open_cell
from reports.build import Microdata
from reports.district_change import complete_rows, district_change, prevalence_counts
from reports.groups import shown_groups
from reports.reliability import answers_matrix, reliability_table
from reports.risk_factors import FACTORS, risk_factor_table
from reports.tables import Table
from scoring.levels import RiskLevel

HIGH_OR_CRISIS = {RiskLevel.HIGH, RiskLevel.CRISIS}
# The document keys this module writes, in the order the report shows them.
KEYS = ("reliability", "risk_factors", "district_change")
# Heading, and what the rows are (for the empty top-left header cell).
HEADINGS = {
    "reliability": ("量表信度 Do the scales hold here?", "量表 Scale"),
    "risk_factors": ("哪些群体风险更高 Which groups carry more risk (adjusted)", "分组 Group"),
    "district_change": ("各区变化 How each district moved since the last release", "区 District"),
}


def _open_answers(rid: object, sealed: bytes | None) -> dict[str, Any]:
    if sealed is None:
        return {}
    text: str | None
    try:
        text = open_sealed(key_ring(), bytes(sealed), binding("responses", "answers", rid))
    except SealError:
        text = open_cell("responses", "answers", rid, sealed)  # logs the cell's location, raises
    doc = json.loads(text or "{}")
    return doc if isinstance(doc, dict) else {}


def read_answers_and_levels(
    session: Session, wave: Wave
) -> tuple[list[dict[str, Any]], list[str | None]]:
    """Each respondent's answers and level, in ``reports.collect.load_microdata``'s row order."""
    rows = session.execute(
        select(Response.id, Response.answers_sealed, Response.risk_level)
        .join(Teacher, Teacher.pseudonym == Response.pseudonym)
        .where(Response.wave_id == wave.id, Response.submitted_at.is_not(None),
               Response.withdrawn_at.is_(None))
        .order_by(Response.id)
    ).all()  # fmt: skip
    answers = [_open_answers(rid, sealed) for rid, sealed, _level in rows]
    return answers, [None if level is None else level.value for _r, _s, level in rows]


def _stored(
    earlier: Sequence[tuple[str, Mapping[str, Any]]], key: str, part: str
) -> tuple[str, Any] | None:
    """The last earlier release's stored ``part`` of ``key``, with its wave name, if it has one."""
    if not earlier:
        return None
    name, document = earlier[-1]
    section = document.get(key)
    return (name, section[part]) if isinstance(section, Mapping) and part in section else None


def release_statistics(
    session: Session,
    wave: Wave,
    data: Microdata,
    k: int,
    earlier: Sequence[tuple[str, Mapping[str, Any]]],
    levels_tables: Sequence[Table],
) -> dict[str, Any]:
    """The statistics sections of a release document (see the module docstring).

    ``levels_tables`` are the release's risk-level tables: they decide the district rows the
    change table shows."""
    answers, levels = read_answers_and_levels(session, wave)
    dims = [d for d in data.dimensions if d.labels]
    sizes = {d.id: len(d.labels) for d in dims}
    shown = shown_groups({d.id: data.codes[d.id] for d in dims}, sizes, k)
    respondents = len(levels)
    battery = [i for i in wave.battery if i in instruments_by_id()]
    reliability = reliability_table(battery, answers_matrix(battery, answers), respondents, k,
                                    _stored(earlier, "reliability", "alphas"))  # fmt: skip
    y = np.array([level in {lv.value for lv in HIGH_OR_CRISIS} for level in levels], bool)
    labels = {d.id: (d.title, d.labels) for d in dims}
    codes = {f: data.codes[f] for f in FACTORS if f in sizes}
    risk = risk_factor_table(codes, labels, shown, y, k)
    districts = next((d for d in dims if d.id == "district"), None)
    names = districts.labels if districts is not None else ()
    counts = prevalence_counts(data.codes["district"], levels, len(names))
    shown_districts = shown.get("district", np.zeros(0, bool))
    last = _stored(earlier, "district_change", "published")
    before = complete_rows(earlier[-1][1].get("risk") or []) if earlier else None
    change = district_change(names, counts, shown_districts, k, wave.name, last,
                             complete_rows(levels_tables), before)  # fmt: skip
    return {"reliability": reliability, "risk_factors": {"table": risk}, "district_change": change}


def statistics_parts(
    document: Mapping[str, Any],
) -> list[tuple[str, list[dict[str, Any]], str]]:
    """(heading, tables, corner) of each statistics section the document holds, in order."""
    parts = []
    for key in KEYS:
        section = document.get(key)
        if isinstance(section, Mapping) and "table" in section:
            heading, corner = HEADINGS[key]
            parts.append((heading, [dict(section["table"])], corner))
    return parts
