"""The system's entries about a case wait for its wave to close (alerts/case_audit.py).

Written in the teacher's own transaction, ``case.open`` and the routing tell the auditor, at the
second, that whoever is answering now endorsed the safety item; the first reminder, a fixed
time later, tells the same. So while the wave is open the chain gets none of them; once it has
closed the sweep writes them, case by case, exactly once; after that they are written at once.
People's actions on a case are written at once, always. Against committed data, both databases;
nothing is emptied between tests (``committed_app``, not ``env``): a wave id used again (SQLite
reuses ids once a table is emptied) would find an earlier test's entries.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from accounts.roles import Role
from alerts.case_audit import SETTLED, run_case_audit_sweep
from alerts.cases import apply_step, settle_withdrawal
from alerts.intake import open_case, request_talk
from alerts.models import Case
from alerts.routing import RoutingPolicy
from alerts.states import Action, CaseOptions, Step
from alerts.sweeps import run_case_step_sweep
from census.models import Invitation, Response, Wave, WaveState
from privacy.audit.models import AuditEntry
from scoring.levels import RiskLevel
from survey.teacher.referral import referral_of, submitted_referral
from tests.support.apps import CommittedApp
from tests.support.factories.census import make_wave
from tests.support.factories.org import make_school, make_teacher
from tests.support.factories.staff import make_account

# The routing and case options the test settings configure (their defaults).
ROUTING, OPTIONS = RoutingPolicy(), CaseOptions()

NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)
MINUTE, DAY = dt.timedelta(minutes=1), dt.timedelta(days=1)


def _entries(
    committed_app: CommittedApp, object_id: object
) -> list[tuple[str, str, dict[str, object]]]:
    with committed_app.session() as session:
        query = select(AuditEntry).where(AuditEntry.object_id == str(object_id))
        return [
            (e.actor, e.action, dict(e.detail))
            for e in session.scalars(query.order_by(AuditEntry.seq))
        ]


def _batch_step_entries(committed_app: CommittedApp) -> int:
    with committed_app.session() as session:
        query = select(func.count()).where(
            AuditEntry.action == "case.steps", AuditEntry.object_type == "case_batch"
        )
        return int(session.scalar(query) or 0)


def _teacher_in_open_wave(committed_app: CommittedApp) -> tuple[int, uuid.UUID, uuid.UUID]:
    """A wave open now, a teacher's response in it, a psychologist serving the teacher's school
    from another school; returns (wave id, response id, psychologist's account id)."""
    with committed_app.session() as session, session.begin():
        school = make_school(session, name=f"审计校{uuid.uuid4().hex[:6]}")
        centre = make_school(session, name="审计中心校")
        psychologist = make_account(session, Role.PSYCHOLOGIST, home=centre, schools=[school])
        wave = make_wave(session, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + 13 * DAY)
        teacher = make_teacher(session, school)
        invitation = Invitation(wave_id=wave.id, teacher_id=teacher.id, school_id=school.id,
                                token_hash=uuid.uuid4().bytes * 2)  # fmt: skip
        session.add(invitation)
        session.flush()
        response = Response(wave_id=wave.id, pseudonym=teacher.pseudonym, school_id=school.id,
                            invitation_id=invitation.id)  # fmt: skip
        session.add(response)
        session.flush()
        return wave.id, response.id, psychologist.id


def _close(committed_app: CommittedApp, wave_id: int) -> None:
    with committed_app.session() as session, session.begin():
        wave = session.get(Wave, wave_id)
        assert wave is not None
        wave.state = WaveState.CLOSED


def test_a_case_opened_while_the_wave_is_open_reaches_the_chain_only_after_it_closes(
    committed_app: CommittedApp,
) -> None:
    wave_id, response_id, psychologist = _teacher_in_open_wave(committed_app)
    with committed_app.session() as session, session.begin():
        response = session.get(Response, response_id)
        assert response is not None
        case_id = open_case(
            session, referral_of(response, RiskLevel.CRISIS, ["phq9_item9"]), NOW, routing=ROUTING
        ).id
    # Ninety minutes later the acknowledgement reminder goes to the psychologist: the chain
    # does not hear of it, which would date the opening.
    batches = _batch_step_entries(committed_app)
    assert (
        run_case_step_sweep(committed_app.database, committed_app.settings, NOW + 90 * MINUTE) == 1
    )
    assert _batch_step_entries(committed_app) == batches
    with committed_app.session() as session, session.begin():
        case = session.get(Case, case_id)
        assert case is not None and case.assignee_id == psychologist
        apply_step(
            session,
            case,
            psychologist,
            Step(Action.ACKNOWLEDGE),
            NOW + 100 * MINUTE,
            options=OPTIONS,
        )
    # Only the psychologist's own action is in the chain while the wave is open.
    assert [(who, what) for who, what, _ in _entries(committed_app, case_id)] == [
        (str(psychologist), "case.transition")
    ]

    run_case_audit_sweep(committed_app.database, committed_app.settings, NOW)
    assert len(_entries(committed_app, case_id)) == 1, "nothing is written while the wave is open"
    _close(committed_app, wave_id)
    run_case_audit_sweep(committed_app.database, committed_app.settings, NOW)
    run_case_audit_sweep(
        committed_app.database, committed_app.settings, NOW
    )  # twice: nothing written twice
    assert _entries(committed_app, case_id)[1:] == [
        ("system", "case.open", {"wave": wave_id, "held": True}),
        ("system", "case.assign", {"assignee": str(psychologist), "how": "route"}),
        ("system", "case.steps", {"reminders": 1, "escalations": 0}),
    ]
    assert [what for _, what, _ in _entries(committed_app, wave_id)].count(SETTLED) == 1

    # From now on its steps are counted at once: the first-contact deadline has passed by then.
    assert run_case_step_sweep(committed_app.database, committed_app.settings, NOW + DAY) >= 1
    assert _batch_step_entries(committed_app) == batches + 1


def test_once_the_wave_has_closed_a_cases_system_entries_are_written_at_once(
    committed_app: CommittedApp,
) -> None:
    wave_id, response_id, psychologist = _teacher_in_open_wave(committed_app)
    with committed_app.session() as session, session.begin():
        response = session.get(Response, response_id)
        assert response is not None
        response.risk_level = RiskLevel.MODERATE
    _close(committed_app, wave_id)
    run_case_audit_sweep(committed_app.database, committed_app.settings, NOW)
    # Asking to talk after the wave closed: nobody is answering any more, nothing is held back.
    with committed_app.session() as session, session.begin():
        response = session.get(Response, response_id)
        assert response is not None
        case_id = request_talk(session, submitted_referral(response), NOW, routing=ROUTING).id
    assert _entries(committed_app, case_id) == [
        ("system", "case.open", {"wave": wave_id}),
        ("system", "case.assign", {"assignee": str(psychologist), "how": "route"}),
    ]
    with committed_app.session() as session, session.begin():
        case = session.get(Case, case_id)
        assert case is not None
        settle_withdrawal(session, case, NOW)  # the teacher withdrew: the case closes
    assert _entries(committed_app, case_id)[-1] == (
        "system", "case.transition", {"step": "close", "from_state": "new", "to_state": "closed"}
    )  # fmt: skip
    run_case_audit_sweep(committed_app.database, committed_app.settings, NOW)
    assert len(_entries(committed_app, case_id)) == 3
