"""A wave of seven respondents, released by the system administrator and read by the analyst
through the real pages and exports, on both databases (protection.md test 24).

The city is a group: with fewer than k respondents its n is "< k" in the header, in every band
table and in the participation tables, on the screen page, the print page, the CSV, the XLSX
and the charts. A psychologist's open cases are a group too: with one psychologist holding all
three of the wave's crisis cases, the load table's "most" would have been the number the
table of cases by state hides.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from accounts.roles import Role
from census.models import WaveState
from tests.support.factories.org import make_school
from tests.support.factories.releases import released_wave
from tests.support.forms import csrf_token
from tests.support.reports.casework import RawCase, insert_case
from tests.support.reports.published import Report, from_csv, from_html, from_xlsx, page_tables
from tests.support.reports.release_audit import RESPONDENTS, assert_release_keeps_every_promise
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]
SIZES = {("小一区", "小甲校"): 4, ("小二区", "小乙校"): 3}
RESPONDED = sum(SIZES.values())  # 7, below the default k of 10
OPEN_CASES = 3
K = 10


@pytest.fixture
def closed_wave(web_app: Flask, make_staff: Callable[..., Staff]) -> int:
    """A closed wave whose seven teachers answered (committed), not yet released; three crisis
    cases of it wait with one psychologist, the only one with cases."""
    psychologist = make_staff(Role.PSYCHOLOGIST, school="小乙校", district="小二区")
    database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        wave = released_wave(session, SIZES, name="七人批次")
        wave.state, wave.released_at = WaveState.CLOSED, None
        school = make_school(session, name="小甲校", district="小一区")
        for _ in range(OPEN_CASES):
            case = insert_case(session, wave.id, school, RawCase("crisis", "new"))
            case.assignee_id = psychologist.account_id
        session.commit()
        wave_id = wave.id
        database.sessions.remove()
    return wave_id


def _release(client: FlaskClient, wave_id: int) -> None:
    token = csrf_token(client, f"/waves/{wave_id}")
    response = client.post(f"/waves/{wave_id}/release", data={"csrf_token": token})
    assert response.status_code == 302


def _read(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return bytes(response.data)


def test_a_wave_of_seven_shows_its_n_nowhere_on_any_page_export_or_chart(
    web_app: Flask,
    closed_wave: int,
    login_as: Login,
) -> None:
    admin, _ = login_as(Role.SYSTEM_ADMIN, school="小甲校", district="小一区")
    _release(admin, closed_wave)
    assert web_app.extensions["xinan.settings"].disclosure_k == K
    analyst, _ = login_as(Role.ANALYST, school="小甲校", district="小一区")
    base = f"/reports/{closed_wave}"
    page, page_charts = from_html(_read(analyst, base).decode("utf-8"))
    printed, print_charts = from_html(_read(analyst, f"{base}/print").decode("utf-8"))
    formats: dict[str, Report] = {
        "page": page,
        "print": printed,
        "csv": from_csv(_read(analyst, f"{base}/export.csv")),
        "xlsx": from_xlsx(_read(analyst, f"{base}/export.xlsx")),
    }
    assert page_charts == print_charts
    assert_release_keeps_every_promise(formats, page_charts, K, RESPONDED)
    # What the colleague saw: "< 10" in the header, the number in the band tables' city row.
    for name, report in formats.items():
        assert report.facts[RESPONDENTS] == "< 10", name
        cities = [t.rows[-1] for t in report.tables if t.columns[1:2] == ["n"]]
        assert cities and {row[0] for row in cities} == {"全市 City"}, name
        assert {row[1] for row in cities} == {"< 10"}, name
    # One psychologist has every open case: "most" would be their number, which by state hides.
    load = [t for t in formats["csv"].tables if t.title == "心理教师负荷 Psychologists' load"]
    assert load and load[0].rows == [["1", "< 10", "< 10", "15", "0"]]
    index = page_tables(_read(analyst, "/reports").decode("utf-8"))
    listed = [row for t in index for row in t.rows if row[0] == "七人批次"]
    assert listed and listed[0][2] == "< 10"
