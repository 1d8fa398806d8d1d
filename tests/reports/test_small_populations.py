"""Populations of every size from 0 to 15 (protection.md test 24), in every format a release
reaches a reader in: the page's body, the CSV, the XLSX and the charts.

A wave of seven respondents is a group of seven: the city's n, like any group's, is shown only
as "< k", and nothing in the tables, their percentages, means or charts gives it away. Each
release is built by the code that builds real ones (``reports.build``, ``reports.document``),
read back from its outputs by ``tests.support.reports.published``, and judged by
``tests.support.reports.release_audit``.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from flask import Flask, render_template
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.build import Microdata, build_tables
from reports.dimensions import Dimension
from reports.document import release_charts, release_document, trend_of
from reports.exports import report_csv, report_xlsx
from reports.models import ReportRelease
from reports.sections import report_sections, summary
from tests.support.reports.published import Report, from_csv, from_html, from_xlsx
from tests.support.reports.release_audit import RESPONDENTS, assert_release_keeps_every_promise

NOW = dt.datetime(2026, 12, 20, 8, 0, tzinfo=dt.UTC)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DIMENSIONS = (
    Dimension("district", "区 District", ("东区", "西区")),
    Dimension("level", "学段 School level", ("小学 Primary", "初中 Junior secondary", "未填")),
    Dimension("gender", "性别 Gender", ("女 Female", "男 Male", "未填 Not recorded")),
)
# Invitations per district and level: far more than respond, so their counts are shown.
INVITED = {"district": np.array([120, 90]), "level": np.array([100, 80, 30])}
CONSENTED = {"district": np.array([40, 25]), "level": np.array([30, 25, 10])}
K = 10


def _microdata(n: int, seed: int, missing: float) -> Microdata:
    rng = np.random.default_rng(seed)
    codes = {d.id: rng.integers(0, len(d.labels), n).astype(np.int64) for d in DIMENSIONS}
    phq9 = rng.integers(0, 28, n).astype(np.float64)
    phq9[rng.random(n) < missing] = np.nan
    gad7 = rng.integers(0, 22, n).astype(np.float64)
    return Microdata(DIMENSIONS, codes, {"phq9.total": phq9, "gad7.total": gad7},
                     INVITED, CONSENTED)  # fmt: skip


def release_of(data: Microdata, n: int, k: int = K) -> ReportRelease:
    """A release as ``reports.service.build_release`` puts it together (no follow-up rows)."""
    tables = build_tables(data, k)
    trend = trend_of([], "小批次 W", tables)
    document = release_document({"id": 1, "name": "小批次 W"}, NOW, k, n, tables, [], trend)
    return ReportRelease(id=1, wave_id=1, k=k, built_at=NOW, document=document,
                         charts=release_charts(tables, trend))  # fmt: skip


def _page_body(release: ReportRelease) -> str:
    """The report page's body, rendered from the real template with the charts inline."""
    app = Flask(__name__, template_folder=str(TEMPLATES))
    charts = {key: "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
              for key, svg in release.charts.items()}  # fmt: skip
    with app.app_context():
        return render_template("reports/_body.html", release=release, facts=summary(release),
                               sections=report_sections(release), charts=charts)  # fmt: skip


def every_format(release: ReportRelease) -> tuple[dict[str, Report], list[str]]:
    """The release read back from its page body, CSV and XLSX; and the page's charts."""
    page, charts = from_html(_page_body(release))
    formats = {"page": page, "csv": from_csv(report_csv(release)),
               "xlsx": from_xlsx(report_xlsx(release))}  # fmt: skip
    return formats, charts


@pytest.mark.parametrize("n", range(16))
@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**16), missing=st.sampled_from([0.0, 0.3]))
def test_a_population_of_every_size_to_15_shows_no_small_figure_in_any_format(
    n: int, seed: int, missing: float
) -> None:
    formats, charts = every_format(release_of(_microdata(n, seed, missing), n))
    assert_release_keeps_every_promise(formats, charts, K, n)


@pytest.mark.parametrize("n", [0, 1, 7, 9])
def test_a_city_below_k_shows_its_n_nowhere_as_a_number(n: int) -> None:
    formats, _charts = every_format(release_of(_microdata(n, seed=n, missing=0.0), n))
    for name, report in formats.items():
        assert report.facts[RESPONDENTS] == "< 10", name
        city_rows = [t.rows[-1] for t in report.tables if t.columns[1:2] == ["n"]]
        assert city_rows and all(row[0] == "全市 City" for row in city_rows)
        assert all(row[1] == "< 10" for row in city_rows), (name, city_rows)


def test_a_city_of_k_or_more_still_shows_its_n_everywhere() -> None:
    formats, _charts = every_format(release_of(_microdata(40, seed=1, missing=0.0), 40))
    for name, report in formats.items():
        assert report.facts[RESPONDENTS] == "40", name
        city_rows = [t.rows[-1] for t in report.tables if t.columns[1:2] == ["n"]]
        assert city_rows and all(row[1] == "40" for row in city_rows), name
