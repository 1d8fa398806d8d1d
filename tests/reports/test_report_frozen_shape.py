"""A report frozen before the summary and the risk levels existed still renders, page and
exports, in the new order.

The stored format only gains keys (``risk``, ``quality``, ``changes``); a document without them
is the old shape. One is stored for a released wave, with its band tables in the old
alphabetical order (CBI first), and read by the analyst on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from accounts.roles import Role
from census.models import Wave, WaveState, WaveUnit
from reports.models import ReportRelease
from reports.order import CLINICAL_ORDER
from tests.reports.test_small_populations import _microdata, release_of
from tests.support.reports.published import from_csv, from_html, from_xlsx
from tests.support.staff import Staff

Login = Callable[..., tuple[FlaskClient, Staff]]
NOW = dt.datetime(2026, 12, 20, 8, 0, tzinfo=dt.UTC)
OLD_KEYS = {"wave", "k", "respondents", "tables", "followup", "trend"}


def _old_document() -> dict[str, object]:
    document = dict(release_of(_microdata(120, 3, 0.0), 120).document)
    for key in ("risk", "quality", "changes"):
        document.pop(key)
    tables = list(document["tables"])  # type: ignore[call-overload]
    # The old release stored its instruments alphabetically: CBI first, WHO-5 last.
    tables.sort(key=lambda t: str(t.get("extra", {}).get("scale", "")) == "phq9.total")
    document["tables"] = tables
    assert set(document) == OLD_KEYS
    return document


def test_a_report_frozen_in_the_old_shape_renders_in_the_new_order(
    web_app: Flask, login_as: Login
) -> None:
    database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        wave = Wave(name="旧版批次", battery=list(CLINICAL_ORDER), opens_at=NOW - dt.timedelta(20),
                    closes_at=NOW - dt.timedelta(5), state=WaveState.RELEASED, released_at=NOW,
                    units=[WaveUnit()])  # fmt: skip
        session.add(wave)
        session.flush()
        session.add(ReportRelease(wave_id=wave.id, k=10, built_at=NOW, document=_old_document(),
                                  charts={}))  # fmt: skip
        session.commit()
        wave_id = wave.id
        database.sessions.remove()
    analyst, _ = login_as(Role.ANALYST, school="甲校", district="东区")
    pages = {}
    for url in ("", "/print", "/export.csv", "/export.xlsx"):
        response = analyst.get(f"/reports/{wave_id}{url}")
        assert response.status_code == 200, url
        pages[url] = bytes(response.data)
    page, _charts = from_html(pages[""].decode("utf-8"))
    for report in (page, from_csv(pages["/export.csv"]), from_xlsx(pages["/export.xlsx"])):
        titles = [t.title for t in report.tables]
        # The summary shows what the old document has (participation); no risk tables.
        assert titles[0] == "参与概况 Participation at a glance"
        assert not any(t.startswith("风险等级") for t in titles)
        bands = [t for t in titles if t.startswith(("PHQ-9", "GAD-7"))]
        assert bands and bands[0].startswith("PHQ-9")
