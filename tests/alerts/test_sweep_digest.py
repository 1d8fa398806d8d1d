"""A backlog becomes one digest e-mail per person per batch; the inbox still lists every case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from alerts.inbox_models import InboxItem
from alerts.outbox import Notification
from alerts.staff_notify import DIGEST_AFTER
from alerts.sweeps import run_case_step_sweep
from tests.alerts.test_sweeps_support import CANARY_NAME, OPENED, make_case, make_place
from tests.survey import test_waves_support as support
from tests.survey.test_waves_support import Env

env, jobs_instance = support.env, support.jobs_instance
ACK_DUE = OPENED + dt.timedelta(hours=2)


def test_many_steps_for_one_person_make_one_digest_and_an_inbox_item_each(env: Env) -> None:
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
