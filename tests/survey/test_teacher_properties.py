"""Property-based tests of the page-save and submit endpoints (protection.md tests 7–9).

Whatever a client posts — missing, extra or repeated fields, wrong types, huge numbers, "NaN",
unicode junk — the answer is the next page (200) for a form the page could have produced and a
4xx otherwise; never a 500, and the stored draft only ever holds option values of known items.
"""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from census.models import Invitation, Response
from instruments import instruments_by_id
from survey.teacher.flow import page_instruments
from survey.teacher.forms import check_answers
from tests.support.factories.census import DEFAULT_BATTERY, make_invitation, make_wave
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import csrf_token
from tests.support.teacher import start

PHQ9 = instruments_by_id()["phq9"]
ITEM_IDS = [item.id for item in PHQ9.items]
VALID_CODES = ["0", "1", "2", "3"]
JUNK_VALUES = st.one_of(
    st.sampled_from(["NaN", "nan", "inf", "-1", "4", "1.0", "1e3", "", " 1", "１", "0x1"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
)
KEYS = st.one_of(
    st.sampled_from(ITEM_IDS),
    st.sampled_from(["go", "phq9_10", "gad7_1", "PHQ9_1", "phq9_1 ", "answers", "__proto__"]),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20),
)
FORMS = st.dictionaries(KEYS, st.one_of(st.sampled_from(VALID_CODES), JUNK_VALUES), max_size=15)
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def started(client: FlaskClient, db_session: Session) -> tuple[str, str, Invitation]:
    """A teacher who confirmed, set a PIN and consented; the token and a CSRF token."""
    teacher = make_teacher(db_session, make_school(db_session))
    invitation, token = make_invitation(db_session, make_wave(db_session), teacher)
    start(client, token, teacher.phone or "")
    return token, csrf_token(client, f"/s/{token}/page/1"), invitation


def _is_valid(form: dict[str, str]) -> bool:
    for key, value in form.items():
        if key == "go":
            if value not in ("next", "back", "review"):
                return False
        elif key not in ITEM_IDS or value not in VALID_CODES:
            return False
    return True


def _stored(db_session: Session, invitation: Invitation) -> Response | None:
    stmt = select(Response).where(Response.invitation_id == invitation.id)
    return db_session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


@HYPOTHESIS
@given(form=FORMS)
def test_page_save_takes_only_what_the_page_offers(
    client: FlaskClient,
    db_session: Session,
    started: tuple[str, str, Invitation],
    form: dict[str, str],
) -> None:
    token, csrf_token, invitation = started
    before = _stored(db_session, invitation)
    before_answers = before.answers if before else None
    response = client.post(f"/s/{token}/page/1", data={**form, "csrf_token": csrf_token})
    assert response.status_code in (200, 400), response.status_code
    assert (response.status_code == 200) == _is_valid(form)
    after = _stored(db_session, invitation)
    if response.status_code != 200:
        assert (after.answers if after else None) == before_answers
        return
    assert after is not None
    answers = json.loads(after.answers or "{}")
    check_answers(answers, page_instruments(DEFAULT_BATTERY))
    for key in ITEM_IDS:
        assert answers.get(key) == (int(form[key]) if key in form else None)


@HYPOTHESIS
@given(form=st.dictionaries(KEYS, JUNK_VALUES, min_size=1, max_size=10))
def test_submit_with_anything_extra_is_refused_and_stores_nothing(
    client: FlaskClient,
    db_session: Session,
    started: tuple[str, str, Invitation],
    form: dict[str, str],
) -> None:
    token, csrf_token, invitation = started
    response = client.post(f"/s/{token}/submit", data={**form, "csrf_token": csrf_token})
    assert 400 <= response.status_code < 500
    stored = _stored(db_session, invitation)
    assert stored is None or stored.receipt is None


def test_thousands_of_fields_are_refused(
    client: FlaskClient, started: tuple[str, str, Invitation]
) -> None:
    token, csrf_token, _ = started
    data = {f"f{i}": "1" for i in range(5000)} | {"csrf_token": csrf_token}
    assert client.post(f"/s/{token}/page/1", data=data).status_code == 400


def test_a_repeated_field_is_refused(
    client: FlaskClient, started: tuple[str, str, Invitation]
) -> None:
    token, csrf_token, _ = started
    data = MultiDict([("phq9_1", "0"), ("phq9_1", "3"), ("csrf_token", csrf_token)])
    assert client.post(f"/s/{token}/page/1", data=data).status_code == 400
