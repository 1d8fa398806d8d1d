"""The release's statistics end to end: two waves released through the real release command, the
report frozen by the release hook, and the analyst reading the figures over HTTP (both databases).

The second release compares each district with what the first published, and a teacher who
withdrew before the release is in none of its figures.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from accounts.roles import Role
from census.models import Wave, WaveState, WaveUnit
from demo.wave import synthetic_answers
from reports.district_change import newcombe_difference
from reports.service import release_of
from scoring.levels import RiskLevel
from survey.waves.rules import DEFAULT_BATTERY
from tests.support.factories.org import make_school, make_teacher
from tests.support.factories.releases import NOW, respond
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]
A, B = "统计甲区", "统计乙区"
# Per wave and district: teachers at crisis, high, low, moderate and not assessed (k = 10 in the
# test settings). Every count is at least k, so the risk-level table per district shows them all
# and the change table may show each share (``reports.district_change``; a district whose crisis
# or high count that table hides is tests/reports/test_district_change_disclosure.py's).
W1 = {A: (12, 12, 16, 10, 10), B: (12, 12, 16, 10, 10)}
W2 = {A: (15, 15, 13, 10, 10), B: (12, 20, 16, 10, 10)}
WITHDRAWN = 3  # in W2, from A's low teachers, before the release

_BUILT: dict[str, tuple[int, int]] = {}


def _closed_wave(
    session: Session, name: str, levels: dict[str, tuple[int, int, int, int, int]], withdraw: int
) -> Wave:
    """A closed wave; ``withdraw`` of district A's low teachers withdrew before the release."""
    wave = Wave(name=name, battery=list(DEFAULT_BATTERY), opens_at=NOW - dt.timedelta(days=20),
                closes_at=NOW - dt.timedelta(days=5), state=WaveState.CLOSED,
                units=[WaveUnit()])  # fmt: skip
    session.add(wave)
    session.flush()
    rng = random.Random(name)
    for district, counts in levels.items():
        school = make_school(session, name=f"{district}{name}校", district=district)
        for level, count in zip(
            (RiskLevel.CRISIS, RiskLevel.HIGH, RiskLevel.LOW, RiskLevel.MODERATE, None),
            counts,
            strict=True,
        ):
            for _ in range(count):
                teacher = make_teacher(session, school, gender=rng.choice("FM"),
                                       birth_year=rng.choice((1970, 1985, 1995)))  # fmt: skip
                response = respond(session, wave, teacher, synthetic_answers(rng, wave.battery))
                response.risk_level = level
                if district == A and level is RiskLevel.LOW and withdraw > 0:
                    response.withdrawn_at, withdraw = NOW, withdraw - 1
    session.flush()
    return wave


def _release(app: Flask, wave_id: int) -> None:
    result = app.test_cli_runner().invoke(args=["wave", "release", str(wave_id)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def releases(web_app: Flask) -> tuple[int, int]:
    """W1 and W2, each released through the command (committed, once per module database)."""
    key = str(web_app.extensions["xinan.settings"].effective_database_url)
    if key in _BUILT:
        return _BUILT[key]
    database = web_app.extensions["xinan.db"]
    ids = []
    for name, levels in (("统计 W1", W1), ("统计 W2", W2)):
        with web_app.app_context():
            session = database.session()
            wave = _closed_wave(session, name, levels, WITHDRAWN if levels is W2 else 0)
            session.commit()
            ids.append(wave.id)
            database.sessions.remove()
        _release(web_app, ids[-1])
    _BUILT[key] = (ids[0], ids[1])
    return _BUILT[key]


def _document(app: Flask, wave_id: int) -> dict:  # type: ignore[type-arg]
    with app.app_context():
        session = app.extensions["xinan.db"].session()
        release = release_of(session, wave_id)
        assert release is not None
        document = dict(release.document)
        app.extensions["xinan.db"].sessions.remove()
    return document


def test_the_frozen_release_holds_each_districts_change_against_the_last_release(
    web_app: Flask, releases: tuple[int, int]
) -> None:
    first, second = (_document(web_app, i) for i in releases)
    assert first["district_change"]["published"][A] == [60, 24]
    # A: 63 less the 3 who withdrew, 30 at high or crisis; B: 68, 32.
    assert second["district_change"]["published"] == {A: [60, 30], B: [68, 32],
                                                      "全市 City": [128, 62]}  # fmt: skip
    rows = {row[0]: row[1:] for row in second["district_change"]["table"]["rows"]}
    low, high = newcombe_difference(30, 60, 24, 60)
    assert rows[A] == ["60", "40.0%", "60", "50.0%", f"{100 * (30 / 60 - 0.4):+.1f}",
                       f"{100 * low:+.1f} – {100 * high:+.1f}"]  # fmt: skip


def test_the_frozen_release_holds_reliability_of_its_own_respondents_only(
    web_app: Flask, releases: tuple[int, int]
) -> None:
    second = _document(web_app, releases[1])
    rows = {row[0]: row for row in second["reliability"]["table"]["rows"]}
    assert set(second["reliability"]["alphas"]) == {
        "phq9.total", "gad7.total", "who5.raw", "k10.total", "pss10.total",
        "cbi.personal", "cbi.work", "cbi.students",
    }  # fmt: skip
    # Every respondent answered every item: n is the 128 who had not withdrawn.
    assert {row[1] for row in rows.values()} == {"128"}
    assert rows["PHQ-9 总分 Total score"][4] == "α = 0.89"
    assert rows["CBI 学生相关倦怠 Student-related burnout"][4] == "α = 0.85"
    assert "reworded to students" in second["reliability"]["table"]["note"]
    first_alphas = _document(web_app, releases[0])["reliability"]["alphas"]
    for key, alpha in second["reliability"]["alphas"].items():
        falls = first_alphas[key] - alpha > 0.05 + 1e-9
        label = next(r for r in rows.values() if r[2].startswith(f"{alpha:.2f}"))
        assert ("since 统计 W1" in label[5]) is falls


def test_the_frozen_release_holds_adjusted_odds_without_any_group_below_k(
    web_app: Flask, releases: tuple[int, int]
) -> None:
    table = _document(web_app, releases[1])["risk_factors"]["table"]
    names = [row[0] for row in table["rows"]]
    assert "性别 Gender: 女 Female" in names or "性别 Gender: 男 Male" in names
    assert sum("参照 reference" in row[1] for row in table["rows"]) == len(
        {name.split(": ")[0] for name in names}
    )
    assert not any("未填" in name for name in names)  # no teacher has an unrecorded gender


def test_the_analyst_reads_the_statistics_as_frozen(
    login_as: Login, web_app: Flask, releases: tuple[int, int]
) -> None:
    client, _staff = login_as(Role.ANALYST)
    page = client.get(f"/reports/{releases[1]}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    document = _document(web_app, releases[1])
    for key, heading in (("reliability", "量表信度"), ("risk_factors", "哪些群体风险更高"),
                         ("district_change", "各区变化")):  # fmt: skip
        assert heading in html
        for row in document[key]["table"]["rows"]:
            assert all(f"<td>{cell}</td>" in html for cell in row[1:] if cell)
    csv_text = client.get(f"/reports/{releases[1]}/export.csv").get_data(as_text=True)
    assert "Cronbach α (95% CI)" in csv_text and "比值比 Odds ratio" in csv_text
