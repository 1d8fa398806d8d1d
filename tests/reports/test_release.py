"""Building a release from a wave: frozen, withdrawn teachers left out of later releases only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from census.models import Response, Wave, WaveState, WaveUnit
from db import utcnow
from reports.service import NotReleased, build_release
from reports.trends import published_value
from tests.support.factories.releases import CANARY, NOW, released_wave

# Small, but every path is there: two districts of n >= k, a school below k.
SIZES = {("一区", "甲校"): 14, ("一区", "乙校"): 12, ("二区", "丙校"): 16, ("二区", "丁校"): 4}


def test_release_is_built_once_frozen_and_holds_no_rows(db_session: Session) -> None:
    wave = released_wave(db_session, SIZES)
    release = build_release(db_session, wave, NOW, 10)
    text = json.dumps(release.document, ensure_ascii=False) + json.dumps(release.charts)
    assert CANARY not in text
    assert release.document["respondents"] == "46"
    assert build_release(db_session, wave, utcnow(), 10) is release


def test_an_open_wave_has_no_report(db_session: Session) -> None:
    wave = released_wave(db_session, SIZES)
    wave.state = WaveState.OPEN
    with pytest.raises(NotReleased):
        build_release(db_session, wave, NOW, 10)


def test_a_withdrawn_teacher_leaves_later_releases_not_an_earlier_one(db_session: Session) -> None:
    first = released_wave(db_session, SIZES, "W1")
    document = build_release(db_session, first, NOW, 10).document
    published = json.dumps(document)
    second = released_wave(db_session, SIZES, "W2")
    # Withdrawals after W1 was published, in both waves: W1's figures must not move.
    for wave_id in (first.id, second.id):
        for response in db_session.query(Response).filter_by(wave_id=wave_id).limit(3):
            response.withdrawn_at = NOW
    db_session.flush()
    later = build_release(db_session, second, NOW, 10).document
    assert later["respondents"] == "43"
    assert json.dumps(build_release(db_session, first, NOW, 10).document) == published
    _trend_shows_the_earlier_release_as_published(document, later)


def _trend_shows_the_earlier_release_as_published(
    first: dict[str, Any], later: dict[str, Any]
) -> None:
    old = {(t["extra"]["scale"], t["extra"]["dimension"]): t
           for t in first["tables"] if t["kind"] == "bands"}  # fmt: skip
    trends = later["trend"]["dimensions"]
    assert {(t["extra"]["scale"], t["extra"]["dimension"]) for t in trends} == set(old)
    suppressed = 0
    for trend in trends:
        assert trend["columns"][2:] == ["W1", "W2"]
        table = old[(trend["extra"]["scale"], trend["extra"]["dimension"])]
        for group, band, then, _now in trend["rows"]:
            assert then == published_value(table, group, band)
            suppressed += then in ("< 10", "x")
        assert all(group in {r[0] for r in table["rows"]} for group, *_ in trend["rows"])
    assert suppressed > 0


def test_a_wave_nobody_could_answer_releases_an_empty_report(db_session: Session) -> None:
    # No district, school or teacher exists: every dimension has no groups at all.
    wave = Wave(name="空", battery=["phq9"], opens_at=NOW - dt.timedelta(days=20),
                closes_at=NOW - dt.timedelta(days=6), state=WaveState.RELEASED,
                units=[WaveUnit()])  # fmt: skip
    db_session.add(wave)
    db_session.flush()
    release = build_release(db_session, wave, NOW, 10)
    assert release.document["respondents"] in ("0", "< 10")
