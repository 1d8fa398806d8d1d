"""Means beside hidden counts, end to end: a released report's CSV, read by the independent
auditor with its means, pins no hidden count (on both databases, through the analyst's export).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.roles import Role
from reports.service import build_release
from tests.support.factories.org import make_school
from tests.support.factories.releases import NOW, released_wave, respond_with_phq9
from tests.support.reports.auditor import band_table_ranges
from tests.support.reports.means import GROUPS, PHQ9_BANDS, SEVERE, K
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]
DISTRICTS = {"A": "均值一区", "B": "均值二区"}  # in name order, as reports list them
TITLE = "PHQ-9 总分 Total score · "


@pytest.fixture
def released(web_app: Flask) -> int:
    """A released wave whose two districts answered as ``GROUPS`` (committed, once per module)."""
    database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        wave = released_wave(session, {}, "均值")
        for group, district in DISTRICTS.items():
            school = make_school(session, name=f"{district}学校", district=district)
            for total in GROUPS[group]:
                respond_with_phq9(session, wave, school, int(total))
        session.flush()
        build_release(session, wave, NOW, K)
        session.commit()
        wave_id = wave.id
        database.sessions.remove()
    return wave_id


def _phq9_tables(csv_text: str) -> dict[str, list[list[str]]]:
    """Each PHQ-9 band table of the export, by dimension title: its rows below the header."""
    lines = list(csv.reader(io.StringIO(csv_text)))
    tables = {}
    for i, line in enumerate(lines):
        if len(line) == 1 and line[0].startswith(TITLE):
            header = next(j for j in range(i + 1, len(lines)) if lines[j][:2] == ["", "n"])
            end = next(j for j in range(header, len(lines)) if not lines[j])
            tables[line[0][len(TITLE) :]] = lines[header + 1 : end]
    return tables


def test_the_exported_means_pin_no_hidden_count(
    released: int,
    login_as: Login,
) -> None:
    # The analyst's own school is in district A, so no empty district joins the table.
    client, _ = login_as(Role.ANALYST, school=f"{DISTRICTS['A']}学校", district=DISTRICTS["A"])
    response = client.get(f"/reports/{released}/export.csv")
    assert response.status_code == 200
    tables = _phq9_tables(response.data.decode("utf-8-sig"))
    district = tables["区 District"]
    assert [row[0] for row in district] == [*DISTRICTS.values(), "全市 City"]
    assert district[0][SEVERE] == "< 10" and district[0][1] == "30"
    assert [row[-1] for row in district] == ["", "", ""]
    for title, rows in tables.items():
        for (r, c), (lo, hi) in band_table_ranges(rows, PHQ9_BANDS, K).items():
            assert hi - lo + 1 >= K, (title, rows[r][0], c, lo, hi)
