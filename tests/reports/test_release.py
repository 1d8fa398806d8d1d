"""Building a release from a wave: frozen, withdrawn teachers left out of later releases only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from db import utcnow
from reports.service import NotReleased, build_release
from survey.models import WaveState
from tests.reports.support import CANARY, NOW, released_wave

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
    published = json.dumps(build_release(db_session, first, NOW, 10).document)
    second = released_wave(db_session, SIZES, "W2")
    from survey.models import Response

    for response in db_session.query(Response).filter_by(wave_id=second.id).limit(1):
        response.withdrawn_at = NOW
    db_session.flush()
    assert build_release(db_session, second, NOW, 10).document["respondents"] == "45"
    assert json.dumps(build_release(db_session, first, NOW, 10).document) == published
