"""The released report, as the analyst gets it through the real release path on both databases:
a one-screen summary first, then the risk levels by every dimension and with and without
flagged responses, then the detail with the instruments in clinical order; the same cells on
the page, the print page, the CSV and the XLSX, every one under the release's disclosure control
(``tests.support.reports.release_audit``, with its independent auditor).

Two waves are released by the system administrator: in the second, a third of the east's
teachers more are at high risk, a change the summary names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.roles import Role
from census.models import Response, WaveState
from census.quality import ResponseQuality
from org.models import District, School
from reports.order import CLINICAL_ORDER
from reports.statistics import HEADINGS as STATISTICS
from scoring.levels import RiskLevel
from scoring.quality import MIN_SAMPLE
from tests.support.factories.releases import released_wave
from tests.support.forms import csrf_token
from tests.support.reports.published import Report, from_csv, from_html, from_xlsx
from tests.support.reports.release_audit import assert_release_keeps_every_promise, is_level_table
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]
SIZES = {("东区", "甲校"): 70, ("东区", "乙校"): 60, ("西区", "丙校"): 70, ("西区", "丁校"): 60}
RESPONDED = sum(SIZES.values())
K = 10
# Levels in turn, of every 20: 2 crisis, 3 high, 5 moderate, 8 low, 2 not assessed.
PATTERN = ["crisis", "high", "moderate", "low", None, "crisis", "high", "high",
           *["moderate"] * 4, *["low"] * 7, None]  # fmt: skip
SHORT = {"phq9": "PHQ-9", "gad7": "GAD-7", "k10": "K10", "who5": "WHO-5", "pss10": "PSS-10",
         "cbi": "CBI"}  # fmt: skip
HEADINGS = ["摘要 Summary", "风险等级 Teachers by risk level",
            *(heading for heading, _corner in STATISTICS.values()), "参与情况 Participation",
            "分段与均值 Bands and means (95% Wilson intervals)", "随访汇总 Follow-up in aggregate",
            "趋势 Trends across released waves",
            "趋势（按维度）Trends by dimension, as each release published them"]  # fmt: skip


def _levels(session: Session, wave_id: int, east_high: bool) -> dict[str, int]:
    """Give the wave's responses their levels (and every fifth a quality flag); the true counts."""
    rows = session.execute(
        select(Response, District.name).join(School, School.id == Response.school_id)
        .join(District, District.id == School.district_id)
        .where(Response.wave_id == wave_id).order_by(Response.id)
    ).all()  # fmt: skip
    counts: dict[str, int] = {}
    seen: dict[str, int] = {}
    for i, (response, district) in enumerate(rows):
        j = seen[district] = seen.get(district, -1) + 1  # the pattern runs in each district
        level = PATTERN[j % len(PATTERN)]
        if east_high and district == "东区" and level == "low" and j % 2 == 0:
            level = "high"
        response.risk_level = None if level is None else RiskLevel(level)
        key = level or "none"
        counts[key] = counts.get(key, 0) + 1
        session.add(ResponseQuality(response_id=response.id, wave_id=wave_id, flagged=i % 5 == 0,
                                    reasons=["longstring", "irv"] if i % 5 == 0 else [],
                                    sample_size=len(rows)))  # fmt: skip
    return counts


# The module's database is shared by its tests: the two waves are released once per database.
_RELEASED: dict[str, tuple[int, int, dict[str, int]]] = {}


@pytest.fixture
def waves(web_app: Flask, login_as: Login, module_url: str) -> tuple[int, int, dict[str, int]]:
    """Two waves, each closed and then released through the page; the second's true counts."""
    if module_url not in _RELEASED:
        _RELEASED[module_url] = _release_two(web_app, login_as)
    return _RELEASED[module_url]


def _release_two(web_app: Flask, login_as: Login) -> tuple[int, int, dict[str, int]]:
    database = web_app.extensions["xinan.db"]
    admin, _ = login_as(Role.SYSTEM_ADMIN, school="甲校", district="东区")
    ids, truth = [], {}
    for name, east_high in (("W1", False), ("W2", True)):
        with web_app.app_context():
            session = database.session()
            wave = released_wave(session, SIZES, name=name)
            wave.state, wave.released_at = WaveState.CLOSED, None
            truth = _levels(session, wave.id, east_high)
            session.commit()
            ids.append(wave.id)
            database.sessions.remove()
        token = csrf_token(admin, f"/waves/{ids[-1]}")
        assert (
            admin.post(f"/waves/{ids[-1]}/release", data={"csrf_token": token}).status_code == 302
        )
    return ids[0], ids[1], truth


def _read(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return bytes(response.data)


def _formats(client: FlaskClient, wave_id: int) -> tuple[dict[str, Report], list[str], str]:
    base = f"/reports/{wave_id}"
    html = _read(client, base).decode("utf-8")
    page, charts = from_html(html)
    printed, _ = from_html(_read(client, f"{base}/print").decode("utf-8"))
    formats = {"page": page, "print": printed, "csv": from_csv(_read(client, f"{base}/export.csv")),
               "xlsx": from_xlsx(_read(client, f"{base}/export.xlsx"))}  # fmt: skip
    return formats, charts, html


def test_the_report_leads_with_the_summary_then_risk_levels_then_clinical_detail(
    waves: tuple[int, int, dict[str, int]], login_as: Login
) -> None:
    _first, second, truth = waves
    analyst, _ = login_as(Role.ANALYST, school="甲校", district="东区")
    formats, charts, html = _formats(analyst, second)
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2>(.*?)</h2>", html)]
    assert headings == HEADINGS
    assert_release_keeps_every_promise(formats, charts, K, RESPONDED)
    for name, report in formats.items():
        titles = [t.title for t in report.tables]
        assert titles[:4] == ["参与概况 Participation at a glance",
                              "风险等级概况 Teachers by risk level, city",
                              "与上次发布相比的明显变化 Clear changes since the last release · W1",
                              "随访期限达成 Follow-up deadlines met"], name  # fmt: skip
        # Risk levels next: one table per dimension, then with and without flagged responses.
        levels = [t for t in report.tables if is_level_table(t)]
        assert titles[4:11] == [t.title for t in levels], name
        # Then the instruments, in clinical order.
        scales = [t.title.split(" ")[0] for t in report.tables if t.columns[-1:] == ["均值 Mean"]]
        assert list(dict.fromkeys(scales)) == [SHORT[i] for i in CLINICAL_ORDER], name
        _assert_summary_counts(report, truth)


def _assert_summary_counts(report: Report, truth: dict[str, int]) -> None:
    glance, city_levels, changes, _deadlines = report.tables[:4]
    # Everyone invited answered: the other participation cells are 0, so "invited" is hidden
    # with them, and with it the completion rate.
    assert glance.rows == [["全市 City", "x", str(RESPONDED), ""]]
    expected = [truth.get(k, 0) for k in ("crisis", "high", "moderate", "low", "none")]
    counts = [row[1] for row in city_levels.rows]
    assert [int(x) for x in counts[:-1] if x.isdigit()] == [
        n for n, x in zip(expected, counts, strict=False) if x.isdigit()
    ]
    assert counts[-1] == str(RESPONDED) and sum(x.isdigit() for x in counts) >= 4
    district = next(t for t in report.tables if is_level_table(t))
    assert counts[:-1] == district.rows[-1][2::2]
    # The east's rise in high risk, the largest clear move, is named first.
    assert changes.rows[0][0].startswith("东区 · 风险等级 Teachers by risk level"), changes.rows
    # (Low fell as much as high rose: whichever is larger by a rounding stands for both.)
    assert (changes.rows[0][1], changes.rows[0][-1][0]) in {("高风险 High", "↑"), ("低 Low", "↓")}


def test_prevalence_without_flagged_responses_is_published_and_no_flag_per_person(
    web_app: Flask, waves: tuple[int, int, dict[str, int]], login_as: Login
) -> None:
    _first, second, _truth = waves
    analyst, _ = login_as(Role.ANALYST, school="甲校", district="东区")
    formats, _charts, _html = _formats(analyst, second)
    for name, report in formats.items():
        [quality] = [t for t in report.tables if t.title.startswith("风险等级（含与不含")]
        assert [row[0] for row in quality.rows] == [
            "不含标记作答 Excluding flagged responses", "仅标记作答 Flagged responses only",
            "全市 City"], name  # fmt: skip
        # The release assesses quality once more in its own transaction (``analysis.jobs``),
        # over the flags written above: fewer than ``MIN_SAMPLE`` respondents flag nobody, so
        # "flagged only" is below k and both rows hide their n (two rows and a shown total).
        assert (quality.rows[0][1], quality.rows[1][1]) == ("x", f"< {K}"), name
        assert quality.rows[-1][1] == str(RESPONDED), name
    database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        flagged = session.scalars(select(ResponseQuality.flagged)
                                  .where(ResponseQuality.wave_id == second)).all()  # fmt: skip
        assert RESPONDED < MIN_SAMPLE and len(flagged) == RESPONDED and not any(flagged)
        ids = [
            str(r) for r in session.scalars(select(Response.id).where(Response.wave_id == second))
        ]
        stored = json.dumps(_document(session, second), ensure_ascii=False)
        database.sessions.remove()
    assert not any(i in stored for i in ids) and "longstring" not in stored


def _document(session: Session, wave_id: int) -> dict[str, object]:
    from reports.service import release_of

    release = release_of(session, wave_id)
    assert release is not None
    return release.document


def test_a_first_release_has_no_trends_repeating_its_own_shares_and_says_so_in_the_summary(
    waves: tuple[int, int, dict[str, int]], login_as: Login
) -> None:
    first, _second, _truth = waves
    analyst, _ = login_as(Role.ANALYST, school="甲校", district="东区")
    formats, charts, html = _formats(analyst, first)
    assert "趋势" not in " ".join(re.findall(r"<h2>(.*?)</h2>", html))
    assert_release_keeps_every_promise(formats, charts, K, RESPONDED)
    changes = formats["csv"].tables[2]
    assert changes.rows == [["无 None", "", "", "", ""]]
    csv = _read(analyst, f"/reports/{first}/export.csv").decode("utf-8-sig")
    # Summary, 7 risk-level tables, the statistics (scale reliability, adjusted odds, district
    # change), 6 participation, 48 band tables and follow-up, no trends.
    assert csv.count("\r\n") < 660
