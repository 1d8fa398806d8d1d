"""Report pages and exports against committed data (protection.md tests 13 and 16).

The analyst sees released waves only; administrators and psychologists get 403; every view and
export is audited with ids only; no name, staff number or pseudonym reaches a page or an export.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from accounts.roles import Role
from census.models import WaveState
from org.models import Teacher
from privacy.audit.models import AuditEntry
from reports.exports import neutralise
from reports.service import build_release
from tests.support.factories.releases import CANARY, NOW, released_wave
from tests.support.staff import Staff

SIZES = {("一区", "甲校"): 14, ("一区", "乙校"): 12, ("二区", "丙校"): 16, ("二区", "丁校"): 4}
Login = Callable[..., tuple[FlaskClient, Staff]]


_BUILT: dict[str, tuple[int, int, list[str]]] = {}


@pytest.fixture
def waves(web_app: Flask) -> tuple[int, int, list[str]]:
    """A released wave with its report, an open one, and every secret a report must not show.

    Built once per module database (the rows are committed), then shared by its tests.
    """
    key = str(web_app.extensions["xinan.settings"].effective_database_url)
    if key in _BUILT:
        return _BUILT[key]
    database = web_app.extensions["xinan.db"]
    with web_app.app_context():
        session = database.session()
        wave = released_wave(session, SIZES, name="<b>发布</b> W1")
        build_release(session, wave, NOW, 10)
        shut = released_wave(session, {("一区", "甲校"): 12}, name="未发布 open")
        shut.state = WaveState.OPEN
        teachers = session.execute(select(Teacher.staff_no_index, Teacher.pseudonym)).all()
        secrets = [CANARY] + [str(t.pseudonym) for t in teachers]
        secrets += [t.staff_no for t in session.scalars(select(Teacher)).all() if t.staff_no]
        _BUILT[key] = (wave.id, shut.id, secrets)
        session.commit()
        database.sessions.remove()
    return _BUILT[key]


def _urls(wave_id: int) -> list[str]:
    base = f"/reports/{wave_id}"
    return ["/reports", base, f"{base}/print", f"{base}/export.csv", f"{base}/export.xlsx"]


def _text(response_data: bytes, url: str) -> str:
    if url.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(response_data))
        return "\n".join(
            str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value
        )
    return response_data.decode("utf-8-sig")


def test_analyst_sees_released_report_pages_and_exports_without_any_secret(
    waves: tuple[int, int, list[str]],
    login_as: Login,
) -> None:
    released, _open, secrets = waves
    client, _staff = login_as(Role.ANALYST)
    for url in _urls(released):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"]
        text = _text(response.data, url)
        for secret in secrets:
            assert secret not in text, (url, "a secret leaked")
    page = client.get(f"/reports/{released}").get_data(as_text=True)
    assert "&lt;b&gt;发布&lt;/b&gt;" in page and "<b>发布</b>" not in page
    assert "data:image/svg+xml;base64," in page and "<script" not in page
    assert "< 10" not in page and "&lt; 10" in page
    # A first release has no earlier one: trends that would repeat its own shares are left out.
    assert "Teachers by risk level" in page and "Trends by dimension" not in page


def test_exports_are_attachments_with_the_page_cells_and_neutralised_formulas(
    waves: tuple[int, int, list[str]],
    login_as: Login,
) -> None:
    released, _open, _secrets = waves
    client, _staff = login_as(Role.ANALYST)
    csv_response = client.get(f"/reports/{released}/export.csv")
    assert csv_response.data.startswith(b"\xef\xbb\xbf")
    assert csv_response.headers["Content-Disposition"].startswith("attachment;")
    csv_text = csv_response.data.decode("utf-8-sig")
    assert "< 10" in csv_text and "全市 City" in csv_text
    assert "Teachers by risk level" in csv_text and "Trends by dimension" not in csv_text
    xlsx = client.get(f"/reports/{released}/export.xlsx")
    assert xlsx.headers["Content-Disposition"].startswith("attachment;")
    cells = _text(xlsx.data, ".xlsx")
    assert "< 10" in cells and "全市 City" in cells
    assert "Teachers by risk level" in cells
    for danger in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(danger).startswith("'")
    assert neutralise("< 10") == "< 10"


def test_an_open_wave_has_no_page_and_every_view_is_audited_by_id(
    web_app: Flask,
    waves: tuple[int, int, list[str]],
    login_as: Login,
) -> None:
    released, shut, _secrets = waves
    client, staff = login_as(Role.ANALYST)
    assert all(client.get(url).status_code == 404 for url in _urls(shut)[1:])
    assert f"/reports/{shut}" not in client.get("/reports").get_data(as_text=True)
    for url in _urls(released):
        client.get(url)
    with web_app.app_context():
        session = web_app.extensions["xinan.db"].session()
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.actor == str(staff.account_id))
        ).all()
        actions = [(e.action, e.object_id) for e in entries if e.action.startswith("report.")]
    assert actions.count(("report.view", str(released))) == 2
    assert actions.count(("report.export", str(released))) == 2
    assert ("report.view", None) in actions


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.PSYCHOLOGIST])
def test_administrators_and_psychologists_get_403_on_every_report_route(
    waves: tuple[int, int, list[str]],
    login_as: Login,
    role: Role,
) -> None:
    released, _open, _secrets = waves
    client, _staff = login_as(role)
    for url in _urls(released):
        response = client.get(url)
        assert response.status_code == 403, (role, url)
        assert CANARY not in response.get_data(as_text=True)
