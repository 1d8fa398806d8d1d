"""The roster's six school levels reach the model as its three coarse stages, on both databases:
a through school as the highest stage it teaches, special education (and an unset level) as the
model's unknown column; never a code the model's one-hot reads as unknown by accident."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.orm import Session

from analysis.model_panel import SCHOOL_LEVEL_CODES, released_panel
from census.models import WaveState
from org.models import SchoolLevel
from scoring.risk_model.features import SCHOOL_LEVELS
from tests.support.factories.census import answers_for, make_submitted_response, make_wave
from tests.support.factories.org import make_school, make_teacher

EXPECTED = {
    SchoolLevel.PRIMARY: 0,
    SchoolLevel.JUNIOR: 1,
    SchoolLevel.SENIOR: 2,
    SchoolLevel.NINE_YEAR: 1,  # 九年一贯制: up to junior secondary
    SchoolLevel.TWELVE_YEAR: 2,  # 十二年一贯制: up to senior secondary
    SchoolLevel.SPECIAL: -1,
    None: -1,
}


def test_every_roster_level_has_a_code_the_model_knows() -> None:
    assert set(SCHOOL_LEVEL_CODES) == set(SchoolLevel)
    assert set(SCHOOL_LEVEL_CODES.values()) <= {-1, *range(SCHOOL_LEVELS)}
    assert SCHOOL_LEVELS == 3


def test_the_panel_codes_each_school_level_as_the_model_reads_it(
    app: Flask, db_session: Session
) -> None:
    wave = make_wave(db_session, state=WaveState.RELEASED, released_at=dt.datetime.now(dt.UTC))
    pseudonym_level = {}
    for n, level in enumerate(EXPECTED):
        school = make_school(db_session, name=f"学段校{n}", district="学段区")
        school.level = level
        teacher = make_teacher(db_session, school)
        response = make_submitted_response(db_session, wave, teacher, answers_for(wave.battery))
        pseudonym_level[response.pseudonym] = level
    db_session.flush()

    rows = released_panel(db_session)

    found = {
        pseudonym_level[str(pid)]: int(code)
        for pid, code in zip(rows.panel.ids, rows.panel.school_level, strict=True)
    }
    assert found == EXPECTED
    names = dict(zip(rows.panel.ids, rows.groups["school_level"], strict=True))
    assert {names[p] for p, lv in pseudonym_level.items() if lv is SchoolLevel.SPECIAL} == {
        "special"
    }  # the fairness tables keep the roster's own six levels
