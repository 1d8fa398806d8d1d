"""Concurrent writes against committed data as the real app runs, on both databases: five
identical submissions store one response, one receipt, one audit entry (protection.md test 2);
two tabs saving pages at once lose nothing and never fail.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from alerts.models import Case
from alerts.routing import RoutingPolicy
from census.models import Invitation, InvitationStatus, Response
from db import utcnow
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from survey.teacher import drafts
from tests.support.apps import CommittedApp
from tests.support.factories.census import (
    make_consented_invitation,
    make_invitation,
    make_wave,
    page_values,
)
from tests.support.factories.links import load_link
from tests.support.factories.org import make_school, make_teacher
from tests.support.forms import csrf_in
from tests.support.teacher import answer_all, start

ROUTING = RoutingPolicy()  # the routing the test settings configure (the defaults)

COOKIE = "xinan_form"


def test_five_concurrent_submissions_store_one_response_with_one_receipt(
    committed_app: CommittedApp,
) -> None:
    database = committed_app.database
    with committed_app.app.app_context():
        session = database.session()
        teacher = make_teacher(session, make_school(session, name="并发小学"))
        wave = make_wave(session)
        invitation, token = make_invitation(session, wave, teacher)
        phone, battery, invitation_id = teacher.phone or "", list(wave.battery), invitation.id
        session.commit()
        database.sessions.remove()
    browser = committed_app.app.test_client()
    start(browser, token, phone)
    answer_all(browser, token, battery, {f"who5_{i}": 5 for i in range(1, 6)})
    page = browser.get(f"/s/{token}/review").get_data(as_text=True)
    csrf_token = csrf_in(page)
    assert csrf_token
    cookie = browser.get_cookie(COOKIE)
    assert cookie is not None

    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def post_once() -> None:
        client = committed_app.app.test_client()
        client.set_cookie(COOKIE, cookie.value)
        barrier.wait()
        response = client.post(f"/s/{token}/submit", data={"csrf_token": csrf_token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post_once) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * 5

    with committed_app.app.app_context():
        session = database.session()
        responses = session.scalars(select(Response).where(Response.invitation_id == invitation_id))
        stored = responses.all()
        assert len(stored) == 1 and stored[0].receipt
        assert stored[0].invitation_id == invitation_id
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "survey.submit", AuditEntry.object_id == str(stored[0].id)
            )
        ).all()
        assert len(entries) == 1
        receipt = stored[0].receipt
        database.sessions.remove()
    done = browser.get(f"/s/{token}/done").get_data(as_text=True)
    assert receipt in done
    with committed_app.app.app_context():
        found = database.session().get(Invitation, invitation_id)
        assert found is not None and found.status is InvitationStatus.SUBMITTED
        database.sessions.remove()


def test_a_crisis_save_racing_a_save_from_another_tab_keeps_both_and_opens_the_case(
    committed_app: CommittedApp,
) -> None:
    # One tab saves PHQ-9 with item 9 endorsed (a locked save) while another saves GAD-7 (a
    # quick, unlocked one), again and again: neither may fail, and both pages and the crisis
    # case must be there at the end.
    database = committed_app.database
    with committed_app.app.app_context():
        session = database.session()
        _, token = make_consented_invitation(session)
        drafts.save_page(
            session, *load_link(session, token), 1, page_values(1), utcnow(), routing=ROUTING
        )
        session.commit()
        database.sessions.remove()
    failures: list[BaseException] = []

    def save(page: int, answers: dict[str, int], barrier: threading.Barrier) -> None:
        with committed_app.app.app_context():
            session = database.session()
            try:
                link = load_link(session, token)
                barrier.wait()
                drafts.save_page(session, *link, page, answers, utcnow(), routing=ROUTING)
                session.commit()
            except BaseException as failure:  # reported below, with the round it failed in
                failures.append(failure)
            finally:
                database.sessions.remove()

    for _ in range(15):
        barrier = threading.Barrier(2)
        tabs = [
            threading.Thread(target=save, args=(1, page_values(1, phq9_9=1), barrier)),
            threading.Thread(target=save, args=(2, page_values(2), barrier)),
        ]
        for tab in tabs:
            tab.start()
        for tab in tabs:
            tab.join(timeout=60)
    assert failures == []
    with committed_app.app.app_context():
        session = database.session()
        response = drafts.response_of(session, load_link(session, token)[0])
        assert response is not None
        assert drafts.stored_answers(response) == {
            **page_values(1, phq9_9=1),
            **page_values(2),
        }
        case = session.scalars(select(Case).where(Case.response_id == response.id)).one()
        assert case.level is RiskLevel.CRISIS
        database.sessions.remove()
