"""What changed since the last released wave, and where: the largest clear moves (pure).

Read from published strings only: this release's band and risk-level tables against the same
tables of the previous release's frozen document, group by group and band by band. A share is
compared only where both releases showed it as a number with its 95% Wilson interval (a coded
share such as "< 1%", or a hidden count, is not compared). A move counts as clear when the two
intervals do not overlap, a conservative test (it misses some real changes, and claims few that
are not). Within one table and group the largest move stands for the rest (in a table of two
bands, one band's rise is the other's fall). Nothing here is a new figure: both shares were
published, and the difference of two published numbers tells no more than they do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from reports.tables import NOT_SCORED, Table

SHOWN = 5
# A published share with its interval: "12.5% (10.1%–15.2%)".
SHARE = re.compile(r"^(\d+(?:\.\d+)?)% \((\d+(?:\.\d+)?)%–(\d+(?:\.\d+)?)%\)$")
SKIPPED = {NOT_SCORED, "未评估 Not assessed"}
TITLE = "与上次发布相比的明显变化 Clear changes since the last release"
COLUMNS = ["", "分段 Band", "上次 Last release", "本次 This release", "变化 Change"]
NOTE = (
    "仅列出两次发布的 95% 置信区间互不重叠的变化（保守的检验），每表每组取最大者，最多五项。"
    " Only moves whose 95% Wilson intervals do not overlap (a conservative test): the largest in"
    " each table and group, at most five, largest first; “pp” is percentage points."
)
NONE = "无 None"


def _share(text: str) -> tuple[float, float, float] | None:
    found = SHARE.match(str(text))
    return None if found is None else (float(found[1]), float(found[2]), float(found[3]))


def _key(table: Mapping[str, Any]) -> tuple[str, str, str]:
    extra = table.get("extra") or {}
    return str(table.get("kind")), str(extra.get("scale", "")), str(extra.get("dimension", ""))


def _tables(document: Mapping[str, Any]) -> dict[tuple[str, str, str], Mapping[str, Any]]:
    tables = [*document.get("tables", []), *document.get("risk", [])]
    return {_key(t): t for t in tables if t.get("kind") in ("bands", "risk")}


def _moves(old: Mapping[str, Any], new: Table) -> list[tuple[float, list[str]]]:
    """The clear moves of one table, the largest per group, as (size, row)."""
    before = {str(row[0]): row for row in old["rows"]}
    old_columns = [str(c) for c in old["columns"]]
    measure = new.title.split(" · ")[0]
    out = []
    for row in new.rows:
        if row[0] not in before:
            continue
        best: tuple[float, list[str]] | None = None
        for c in range(2, len(new.columns) - 1, 2):
            band = new.columns[c]
            if band in SKIPPED or f"{band} %" not in old_columns:
                continue
            then = _share(before[row[0]][old_columns.index(f"{band} %")])
            now = _share(row[c + 1])
            if then is None or now is None or not (now[1] > then[2] or now[2] < then[1]):
                continue
            size = now[0] - then[0]
            arrow = "↑" if size > 0 else "↓"
            line = [f"{row[0]} · {measure}", band, f"{then[0]:.1f}%", f"{now[0]:.1f}%",
                    f"{arrow} {abs(size):.1f} pp"]  # fmt: skip
            if best is None or abs(size) > best[0]:
                best = (abs(size), line)
        if best is not None:
            out.append(best)
    return out


def changes_table(
    earlier: Sequence[tuple[str, Mapping[str, Any]]], tables: Sequence[Table]
) -> Table:
    """The largest clear moves since the latest of ``earlier`` ((name, document), in release
    order), across this release's band and risk-level tables."""
    if not earlier:
        note = "首次发布，无可比较的上次发布 The first release: there is no earlier one to compare."
        return Table(TITLE, COLUMNS, [[NONE, "", "", "", ""]], note, "changes")
    name, document = earlier[-1]
    before = _tables(document)
    moves = []
    for table in tables:
        key = (table.kind, str(table.extra.get("scale", "")), str(table.extra.get("dimension")))
        if key in before:
            moves += _moves(before[key], table)
    moves.sort(key=lambda move: -move[0])
    # The city's row is in every dimension's table: each line once.
    unique = list(dict.fromkeys(tuple(row) for _size, row in moves))
    rows = [list(row) for row in unique[:SHOWN]] or [[NONE, "", "", "", ""]]
    columns = [*COLUMNS[:2], f"上次 Last release · {name}", *COLUMNS[3:]]
    return Table(f"{TITLE} · {name}", columns, rows, NOTE, "changes")
