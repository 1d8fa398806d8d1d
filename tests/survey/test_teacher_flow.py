"""The teacher's path through the census, on both databases, as one teacher on a phone walks it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import Case, CaseState, Outreach, OutreachState
from census.models import InvitationStatus, Wave, WaveState
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from tests.support.factories.links import Link, invitation_of, make_link, response_of
from tests.support.forms import csrf_token, post_form
from tests.support.teacher import (
    CRISIS,
    LOW,
    MODERATE,
    PIN,
    confirm,
    finish,
    page_answers,
    start,
    submit,
)

CANARY_NAME = "金丝雀老师"


@pytest.fixture
def link(db_session: Session) -> Link:
    return make_link(db_session, name=CANARY_NAME)


@pytest.fixture
def fresh(app: Flask) -> Iterator[FlaskClient]:
    """A second browser: no cookie, no PIN entered."""
    yield app.test_client()


def test_a_teacher_confirms_consents_answers_and_submits(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    landing = client.get(link.url).get_data(as_text=True)
    assert "自愿" in landing and "人事" in landing  # voluntary; never personnel decisions
    done = finish(client, link, LOW)
    stored = response_of(db_session, link)
    assert stored is not None and stored.risk_level is RiskLevel.LOW
    assert stored.receipt and stored.receipt in done
    assert invitation_of(db_session, link).status is InvitationStatus.SUBMITTED
    assert invitation_of(db_session, link).consent_version == "2026.2"
    assert 'id="helplines"' not in done


def test_the_link_without_the_pin_shows_nothing_personal(
    app: Flask, client: FlaskClient, fresh: FlaskClient, link: Link
) -> None:
    finish(client, link, CRISIS)
    confirmed = app.test_client()  # gave the phone ending, but not the PIN
    assert confirm(confirmed, link.token, link.phone).headers["Location"].endswith("/unlock")
    pages = ["", "/done", "/results", "/review", "/page/1", "/withdraw", "/continue", "/consent"]
    for browser, gate in ((fresh, ("/confirm",)), (confirmed, ("/unlock", link.url))):
        for path in pages:
            response = browser.get(link.url + path)
            body = response.get_data(as_text=True)
            assert response.status_code in (200, 302), path
            assert CANARY_NAME not in body and link.phone not in body, path
            assert "checked" not in body and 'id="result-' not in body, path
            assert 'id="helplines"' not in body, path  # even that would hint at an answer
            if response.status_code == 302:
                assert response.headers["Location"].endswith(gate), path


def test_item9_alone_opens_a_crisis_case_at_page_save_before_submission(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    start(client, link.token, link.phone)
    data = page_answers("phq9", **{"phq9_9": 1})  # total 1: only the safety item
    saved = post_form(client, f"{link.url}/page/1", data)
    assert saved.status_code == 200
    case = db_session.scalars(select(Case)).one()
    assert case.level is RiskLevel.CRISIS and case.state is CaseState.NEW
    assert invitation_of(db_session, link).status is InvitationStatus.STARTED
    # The page the post answers with, and the same page asked for again, lead with help lines.
    for next_page in (
        saved.get_data(as_text=True),
        client.get(f"{link.url}/page/2").get_data(as_text=True),
    ):
        assert f'rel="canonical" href="{link.url}/page/2"' in next_page
        assert next_page.index('id="helplines"') < next_page.index('id="stem"')
        assert "12356" in next_page and "110" in next_page and "120" in next_page
    # Changing item 9 back to 0 does not close or lower the case.
    assert post_form(client, f"{link.url}/page/1", page_answers("phq9")).status_code == 200
    assert db_session.scalars(select(Case)).one().level is RiskLevel.CRISIS


def test_feedback_puts_the_help_lines_first_after_a_safety_answer(
    client: FlaskClient, link: Link
) -> None:
    done = finish(client, link, CRISIS)
    assert done.index('id="helplines"') < done.index('id="thanks"')
    assert "tel:12356" in done


def test_resuming_needs_the_pin_and_opens_where_the_teacher_stopped(
    client: FlaskClient, fresh: FlaskClient, link: Link
) -> None:
    start(client, link.token, link.phone)
    for number, inst in ((1, "phq9"), (2, "gad7")):
        assert post_form(client, f"{link.url}/page/{number}", page_answers(inst)).status_code == 200
    assert fresh.get(f"{link.url}/continue").headers["Location"].endswith("/confirm")
    assert confirm(fresh, link.token, link.phone).headers["Location"].endswith("/unlock")
    response = post_form(fresh, f"{link.url}/unlock", {"pin": PIN})
    assert response.status_code == 303
    resumed = fresh.get(response.headers["Location"])
    assert resumed.headers["Location"].endswith("/page/3")
    page_one = fresh.get(f"{link.url}/page/1").get_data(as_text=True)
    assert page_one.count("checked") == 9


def test_wrong_pins_lock_the_link_for_a_while(
    client: FlaskClient, fresh: FlaskClient, db_session: Session, link: Link
) -> None:
    start(client, link.token, link.phone)
    assert confirm(fresh, link.token, link.phone).status_code == 303
    for _ in range(4):
        response = post_form(fresh, f"{link.url}/unlock", {"pin": "9999"})
        assert response.status_code == 200 and 'id="wrong"' in response.get_data(as_text=True)
    assert 'id="locked"' in post_form(fresh, f"{link.url}/unlock", {"pin": "9999"}).get_data(
        as_text=True
    )
    assert invitation_of(db_session, link).pin_locked_until is not None
    assert post_form(fresh, f"{link.url}/unlock", {"pin": PIN}).status_code == 429


def test_identity_failures_all_look_alike_and_are_throttled(
    fresh: FlaskClient, db_session: Session, link: Link
) -> None:
    wrong = str((int(link.phone[-4:]) + 1) % 10000).zfill(4)
    bodies = {
        post_form(fresh, f"{link.url}/confirm", {"digits": value})
        .get_data(as_text=True)
        .count("wrong")
        for value in (wrong, "abc", "１２３４５６７８９０１２３")
    }
    assert len(bodies) == 1
    post_form(fresh, f"{link.url}/confirm", {"digits": wrong})
    post_form(fresh, f"{link.url}/confirm", {"digits": wrong})
    assert post_form(fresh, f"{link.url}/confirm", {"digits": link.phone[-4:]}).status_code == 429
    assert invitation_of(db_session, link).pin_hash is None


def test_full_width_digits_confirm_the_teacher(fresh: FlaskClient, link: Link) -> None:
    full_width = "".join(chr(0xFF10 + int(d)) for d in link.phone[-4:])
    reply = post_form(fresh, f"{link.url}/confirm", {"digits": full_width})
    assert reply.status_code == 200
    assert f'rel="canonical" href="{link.url}/pin"' in reply.get_data(as_text=True)


def test_a_step_sent_again_moves_on_and_changes_nothing(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    """Identity, PIN and consent are answered with the next step's page; reloading that page
    without JavaScript sends the step's form again. It moves on and checks, sets or records
    nothing twice."""
    url = link.url
    digits = {"digits": link.phone[-4:]}
    assert post_form(client, f"{url}/confirm", digits).status_code == 200  # the PIN page
    confirmed_at = invitation_of(db_session, link).identity_confirmed_at
    again = post_form(client, f"{url}/confirm", digits, f"{url}/pin")
    assert again.status_code in (302, 303) and again.headers["Location"].endswith(f"{url}/pin")
    assert invitation_of(db_session, link).identity_confirmed_at == confirmed_at

    assert post_form(client, f"{url}/pin", {"pin": PIN, "repeat": PIN}).status_code == 200
    pin_hash = invitation_of(db_session, link).pin_hash
    again = post_form(client, f"{url}/pin", {"pin": "2468", "repeat": "2468"}, f"{url}/consent")
    assert again.status_code in (302, 303)
    assert again.headers["Location"].endswith(f"{url}/consent")
    assert invitation_of(db_session, link).pin_hash == pin_hash

    assert post_form(client, f"{url}/consent", {"decision": "agree"}).status_code == 200
    consented_at = invitation_of(db_session, link).consented_at
    again = post_form(client, f"{url}/consent", {"decision": "agree"}, f"{url}/page/1")
    assert again.status_code in (302, 303)
    assert again.headers["Location"].endswith(f"{url}/continue")
    assert invitation_of(db_session, link).consented_at == consented_at
    given = select(AuditEntry).where(AuditEntry.action == "survey.consent.given")
    assert len(db_session.scalars(given).all()) == 1


def test_a_replayed_submission_gets_the_same_receipt_and_stores_nothing_new(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    finish(client, link, MODERATE)
    receipt = response_of(db_session, link).receipt  # type: ignore[union-attr]
    assert submit(client, link.token, f"{link.url}/done").status_code == 303
    assert response_of(db_session, link).receipt == receipt  # type: ignore[union-attr]
    assert db_session.query(Outreach).count() == 1
    submits = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.submit"))
    assert len(submits.all()) == 1
    # After submission the link takes no more answers.
    assert (
        post_form(
            client, f"{link.url}/page/1", page_answers("phq9"), f"{link.url}/done"
        ).status_code
        == 409
    )


def test_a_tampered_option_is_refused_and_nothing_is_stored(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    start(client, link.token, link.phone)
    for bad in ("4", "-1", "1.0", "NaN", "99999999999999999999", "１"):
        data = page_answers("phq9", **{})
        data["phq9_3"] = bad
        response = post_form(client, f"{link.url}/page/1", data)
        assert response.status_code == 400, bad
    draft = response_of(db_session, link)  # the empty draft made at consent, left empty
    assert draft is not None and draft.answers is None and draft.pages_saved == 0


def test_submitting_with_missing_items_lists_them(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    start(client, link.token, link.phone)
    data = page_answers("phq9")
    del data["phq9_4"]
    post_form(client, f"{link.url}/page/1", data)
    response = submit(client, link.token)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="missing"' in body and "第 4 题" in body
    assert response_of(db_session, link).receipt is None  # type: ignore[union-attr]


def test_moderate_teachers_can_ask_to_talk_and_a_case_opens(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    done = finish(client, link, MODERATE)
    assert 'id="talk"' in done
    response = post_form(client, f"{link.url}/talk", {}, f"{link.url}/done")
    assert response.status_code == 303
    outreach = db_session.scalars(select(Outreach)).one()
    assert outreach.state is OutreachState.REQUESTED and outreach.case_id is not None
    assert 'id="talk-requested"' in client.get(f"{link.url}/done").get_data(as_text=True)


def test_results_are_told_kindly(client: FlaskClient, link: Link) -> None:
    finish(client, link, MODERATE)
    body = client.get(f"{link.url}/results").get_data(as_text=True)
    assert 'id="result-1"' in body and "10" in body
    for alarming in ("重度", "severe", "抑郁症", "crisis"):
        assert alarming not in body


def test_a_closed_wave_answers_kindly_and_takes_nothing(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    token = csrf_token(client, f"{link.url}/confirm")
    wave = db_session.get(Wave, link.invitation.wave_id)
    assert wave is not None
    wave.state = WaveState.CLOSED
    db_session.flush()
    assert 'id="status"' in client.get(link.url).get_data(as_text=True)
    data = {"digits": link.phone[-4:], "csrf_token": token}
    response = client.post(f"{link.url}/confirm", data=data)
    assert response.status_code == 403 and "没有开放" in response.get_data(as_text=True)
    assert invitation_of(db_session, link).identity_confirmed_at is None


# Control characters in a URL are a 400 before any view (tests/ops/test_url_properties.py).
@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 5000, "%E2%80%8B%E2%80%AE", "ＡＢＣ"])
def test_unknown_or_garbage_tokens_get_a_404_in_the_teachers_language(
    client: FlaskClient, token: str
) -> None:
    response = client.get(f"/s/{token}")
    assert response.status_code == 404 and "找不到这个链接" in response.get_data(as_text=True)
    client.get("/lang/en?next=/s/x")
    response = client.get(f"/s/{token}/page/1")
    assert response.status_code == 404 and "We cannot find this link" in response.get_data(
        as_text=True
    )


def test_chinese_by_default_and_english_on_request(client: FlaskClient, link: Link) -> None:
    body = client.get(link.url).get_data(as_text=True)
    assert '<html lang="zh-CN">' in body and "教师身心健康普查" in body and 'id="lang-en"' in body
    switch = client.get(f"/lang/en?next={link.url}")
    assert switch.status_code == 302 and switch.headers["Location"].endswith(link.url)
    body = client.get(link.url).get_data(as_text=True)
    assert '<html lang="en">' in body and "Teacher wellbeing census" in body
    assert "voluntary" in body and 'id="lang-zh"' in body
    client.get(f"/lang/zh-CN?next={link.url}")  # and back: each language keeps its own catalogue
    body = client.get(link.url).get_data(as_text=True)
    assert '<h1 id="title">教师身心健康普查</h1>' in body
    assert "Teacher wellbeing census" not in body
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"


def test_an_oversized_body_is_refused(client: FlaskClient, link: Link) -> None:
    response = client.post(f"{link.url}/confirm", data={"digits": "1" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_trivial_or_mistyped_pin_is_refused_and_nothing_is_stored(
    client: FlaskClient, db_session: Session, link: Link
) -> None:
    assert post_form(client, f"{link.url}/confirm", {"digits": link.phone[-4:]}).status_code == 200
    for pin, repeat, words in (("1111", "1111", "太容易"), ("4826", "4862", "不一致")):
        response = post_form(client, f"{link.url}/pin", {"pin": pin, "repeat": repeat})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and 'id="rejected"' in body and words in body
    assert invitation_of(db_session, link).pin_hash is None
