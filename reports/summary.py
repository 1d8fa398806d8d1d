"""The report's one-screen summary, read from the frozen document's published strings (pure).

Participation, teachers by risk level, the clear changes since the last release and the
follow-up deadlines met: each a short table whose cells are copied from the release's own
tables (a count or share exactly as published, mark included), or a share of two counts that
are both shown. A summary of a release frozen before a part existed leaves that part out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.render import pct_text

PARTICIPATION = "参与概况 Participation at a glance"
LEVELS = "风险等级概况 Teachers by risk level, city"
FOLLOWUP = "随访期限达成 Follow-up deadlines met"
RATE = "完成率 Completion rate"
COMPLETED, INVITED = "完成 Completed", "受邀 Invited"


def _city_row(table: Mapping[str, Any]) -> list[str]:
    return [str(x) for x in table["rows"][-1]]


def _rate(part: str, whole: str) -> str:
    """``part / whole`` as a coded share, only when both counts are shown."""
    if not (part.isdigit() and whole.isdigit()) or int(whole) == 0:
        return ""
    return pct_text(int(part) / int(whole))


def participation(document: Mapping[str, Any]) -> list[list[str]] | None:
    """Invited, completed and the completion rate of the city, from the district table."""
    for table in document.get("tables", []):
        if table.get("kind") == "counts" and str(table["title"]).startswith("参与 Participation"):
            columns = [str(c) for c in table["columns"]]
            city = _city_row(table)
            invited, done = city[columns.index(INVITED)], city[columns.index(COMPLETED)]
            return [[city[0], invited, done, _rate(done, invited)]]
    return None


def levels(document: Mapping[str, Any]) -> list[list[str]] | None:
    """The city's count and share per risk level (the district table's city row)."""
    risk = document.get("risk") or []
    if not risk:
        return None
    columns = [str(c) for c in risk[0]["columns"]]
    city = _city_row(risk[0])
    rows = [[columns[c], city[c], city[c + 1].split(" (")[0]] for c in range(2, len(columns), 2)]
    return [*rows, ["合计 Total", city[1], ""]]


def deadlines(document: Mapping[str, Any]) -> list[list[str]] | None:
    """Per level: cases opened, and the shares acknowledged and first contacted on time."""
    for table in document.get("followup", []):
        if table.get("kind") == "deadlines":
            columns = [str(c) for c in table["columns"]]
            ack = columns.index("按时确认率 Acknowledged on time %")
            contact = columns.index("按时联系率 Contacted on time %")
            return [[str(row[0]), str(row[1]), str(row[ack]), str(row[contact])]
                    for row in table["rows"]]  # fmt: skip
    return None


def _table(title: str, columns: list[str], rows: list[list[str]], note: str = "") -> dict[str, Any]:
    return {"title": title, "columns": columns, "rows": rows, "note": note}


def summary_tables(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The summary's tables (title, columns, rows, note), those the document has, in order."""
    out = []
    rows = participation(document)
    if rows:
        out.append(_table(PARTICIPATION, ["", INVITED, COMPLETED, RATE], rows))
    rows = levels(document)
    if rows:
        out.append(_table(LEVELS, ["风险等级 Level", "人数 Teachers", "占比 Share"], rows))
    changes = document.get("changes")
    if changes:
        out.append(dict(changes))
    rows = deadlines(document)
    if rows:
        header = ["级别 Level", "开案 Opened", "按时确认率 Acknowledged on time %",
                  "按时联系率 Contacted on time %"]  # fmt: skip
        out.append(_table(FOLLOWUP, header, rows))
    return out
