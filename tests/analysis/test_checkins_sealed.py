"""The check-in list sorts by the sealed probability, opening only the predictions of the
psychologist's own schools' candidates (both databases, over HTTP)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from accounts.roles import Role
from analysis.model_models import RiskPrediction
from privacy import vault
from tests.analysis.test_checkins_web import _go_live, _seed
from tests.support.apps import CommittedApp
from tests.support.staff import Staff, login


def test_the_list_opens_only_its_own_schools_probabilities(
    env: CommittedApp,
    web_app: Flask,
    make_staff: Callable[..., Staff],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeded = _seed(env, "开封校", "他校")
    staff = make_staff(Role.PSYCHOLOGIST, school="开封校", linked=False)  # not a colleague there
    client = web_app.test_client()
    assert login(client, staff) == 302
    _go_live(env, staff.account_id)
    opened: list[str] = []
    real = vault.open_cell

    def spy(table: str, column: str, row_id: object, sealed: bytes | None) -> str | None:
        if table == "risk_predictions":
            opened.append(str(row_id))
        return real(table, column, row_id, sealed)

    monkeypatch.setattr(vault, "open_cell", spy)
    page = client.get("/checkins").get_data(as_text=True)

    with env.session() as session:
        ids = {p.response_id: str(p.id) for p in session.scalars(select(RiskPrediction))}
    mine = [ids[r.id] for r in seeded["开封校"]]
    calm = {mine[0], mine[1], mine[3]}  # low, moderate, low; the high one is not a candidate
    assert set(opened) == calm
    assert [page.index(f"checkin-{i}") for i in (mine[0], mine[1], mine[3])] == sorted(
        page.index(f"checkin-{i}") for i in calm
    )  # most likely first: 0.91, 0.81, 0.61
