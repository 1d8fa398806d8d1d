"""A backlog becomes one digest e-mail per person per batch; the inbox lists each case up to
INBOX_DIGEST_AFTER steps, and beyond that gets one digest item linking the person's page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from alerts.escalation_models import CaseStep
from alerts.staff_notify import DIGEST_AFTER, INBOX_DIGEST_AFTER
from alerts.sweeps import run_case_step_sweep
from notifications.inbox_models import InboxItem
from notifications.models import Notification
from tests.support.apps import CommittedApp
from tests.support.factories.cases import CANARY_NAME, OPENED, make_case, make_place

ACK_DUE = OPENED + dt.timedelta(hours=2)


def test_many_steps_for_one_person_make_one_digest_and_an_inbox_item_each(
    env: CommittedApp,
) -> None:
    cases = DIGEST_AFTER + 3
    with env.session() as session, session.begin():
        place = make_place(session)
        ids = {make_case(session, place).id for _ in range(cases)}
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE) == cases
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE) == 0
    with env.session() as session:
        mails = session.scalars(select(Notification)).all()
        inbox = session.execute(select(InboxItem.account_id, InboxItem.case_id)).all()
        assert len(mails) == 2  # the supervisor's digest and the psychologist's digest
        assert all(m.key.startswith("casedigest:") for m in mails)
        body = mails[0].body or ""
    assert {case for _account, case in inbox} == ids
    assert len(inbox) == 2 * cases
    assert sum(f"/cases/{case_id}" in body for case_id in ids) == cases
    assert CANARY_NAME not in body


def test_a_backlog_makes_one_digest_inbox_item_per_person_linking_their_page(
    env: CommittedApp,
) -> None:
    cases = INBOX_DIGEST_AFTER + 1
    with env.session() as session, session.begin():
        place = make_place(session)
        ids = {make_case(session, place).id for _ in range(cases)}
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE) == cases
    assert run_case_step_sweep(env.database, env.settings, ACK_DUE) == 0
    with env.session() as session:
        items = session.scalars(select(InboxItem)).all()
        mails = session.scalars(select(Notification)).all()
        steps = session.scalar(select(func.count()).select_from(CaseStep))
        bodies = {m.key: m.body or "" for m in mails}
    assert steps == cases  # each step is still recorded once, on its case
    people = sorted([place.supervisor_id, place.psychologist_id])
    assert sorted(i.account_id for i in items) == people
    assert all(i.case_id is None and i.kind == "case.digest" for i in items)
    assert all(f"{cases} " in i.title and CANARY_NAME not in i.title for i in items)
    assert {i.key for i in items} == set(bodies)  # one e-mail per person, keyed as the item
    by_account = {i.account_id: bodies[i.key] for i in items}
    assert "/district" in by_account[place.supervisor_id]
    assert "/district" not in by_account[place.psychologist_id]
    assert all(sum(f"/cases/{c}" in b for c in ids) == cases for b in bodies.values())
    assert all(CANARY_NAME not in b for b in bodies.values())
