"""The teacher's path through the census, on both databases, as one teacher on a phone walks it."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey.models import Invitation, InvitationStatus, Response
from tests.factories import make_school, make_teacher
from tests.survey.factories import make_invitation, make_wave
from tests.survey.teacher_support import answer_all, start, submit


def test_a_teacher_confirms_consents_answers_and_submits(
    client: FlaskClient, db_session: Session
) -> None:
    teacher = make_teacher(db_session, make_school(db_session))
    wave = make_wave(db_session)
    invitation, token = make_invitation(db_session, wave, teacher)
    assert client.get(f"/s/{token}").status_code == 200
    start(client, token, teacher.phone or "")
    answer_all(client, token, wave.battery)
    response = submit(client, token)
    assert response.status_code == 303, response.get_data(as_text=True)
    done = client.get(f"/s/{token}/done")
    assert done.status_code == 200
    stored = db_session.query(Response).one()
    assert stored.receipt and stored.risk_level is not None
    found = db_session.get(Invitation, invitation.id)
    assert found is not None and found.status is InvitationStatus.SUBMITTED
