"""Building a release from a wave: frozen, withdrawn teachers left out of later releases only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from db import utcnow
from reports.service import NotReleased, build_release
from survey.models import WaveState
from tests.reports.support import CANARY, NOW, released_wave

SIZES = {("一区", "甲校"): 30, ("一区", "乙校"): 25, ("二区", "丙校"): 40, ("二区", "丁校"): 6}


def test_release_is_built_once_frozen_and_holds_no_rows(db_session: Session) -> None:
    wave = released_wave(db_session, SIZES)
    release = build_release(db_session, wave, NOW, 10)
    text = json.dumps(release.document, ensure_ascii=False) + json.dumps(release.charts)
    assert CANARY not in text
    assert release.document["respondents"] == "101"
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
    assert build_release(db_session, second, NOW, 10).document["respondents"] == "100"
    assert json.dumps(build_release(db_session, first, NOW, 10).document) == published
