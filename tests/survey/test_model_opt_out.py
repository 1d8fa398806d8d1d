"""The teacher's choice to leave the statistical second reader out (PIPL art. 24), on both
databases: the consent page says what the model does and offers the choice; opting out changes
nothing of rule-based screening (same level, same case or outreach); the results page changes it.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.models import Case, Outreach
from census.models import Response
from privacy.audit.models import AuditEntry
from tests.support.factories.links import Link, invitation_of, make_link, response_of
from tests.support.forms import form_target, post_form
from tests.support.teacher import CRISIS, MODERATE, PIN, answer_all, phone_digits, submit


def _start(client: FlaskClient, link: Link, consent: dict[str, str]) -> str:
    """Confirm, set the PIN and answer the consent page with ``consent``; the consent page."""
    url = f"{link.url}/confirm"
    html = client.get(url).get_data(as_text=True)
    consent_page = ""
    for fields in ({"digits": phone_digits(link.phone)}, {"pin": PIN, "repeat": PIN}, consent):
        url, token = form_target(html, url)
        reply = client.post(url, data={"csrf_token": token, **fields})
        assert reply.status_code == 200, (url, reply.status_code)
        html = reply.get_data(as_text=True)
        consent_page = consent_page or (html if 'id="model-opt-out"' in html else "")
    return consent_page


def _submit(client: FlaskClient, link: Link, answers: dict[str, int], opt_out: bool) -> str:
    consent = {"decision": "agree", **({"model_opt_out": "yes"} if opt_out else {})}
    page = _start(client, link, consent)
    answer_all(client, link.token, link.battery, answers)
    assert submit(client, link.token).status_code == 303
    return page


def _follow_up(session: Session, response: Response) -> tuple[int, int]:
    cases = session.scalar(select(func.count()).where(Case.response_id == response.id))
    outreach = session.scalar(select(func.count()).where(Outreach.response_id == response.id))
    return int(cases or 0), int(outreach or 0)


def test_the_consent_page_explains_the_model_and_offers_to_leave_it_out(
    client: FlaskClient, db_session: Session
) -> None:
    page = _submit(client, make_link(db_session), MODERATE, opt_out=False)
    assert "统计模型" in page and "第二十四条" in page  # what it does, and the right to refuse
    assert "按公开评分规则的筛查和关怀对您完全不变" in page  # screening continues without it
    assert 'name="model_opt_out"' in page


@pytest.mark.parametrize("answers", [MODERATE, CRISIS], ids=["moderate", "crisis"])
def test_opting_out_leaves_rule_screening_unchanged(
    app_client_pair: tuple[FlaskClient, FlaskClient], db_session: Session, answers: dict[str, int]
) -> None:
    kept, left = make_link(db_session), make_link(db_session)
    _submit(app_client_pair[0], kept, answers, opt_out=False)
    _submit(app_client_pair[1], left, answers, opt_out=True)
    assert invitation_of(db_session, kept).model_opt_out_at is None
    assert invitation_of(db_session, left).model_opt_out_at is not None
    with_model, without = response_of(db_session, kept), response_of(db_session, left)
    assert with_model is not None and without is not None
    assert without.risk_level is with_model.risk_level is not None
    assert _follow_up(db_session, without) == _follow_up(db_session, with_model) != (0, 0)


def test_the_results_page_changes_the_choice_and_audits_it(
    client: FlaskClient, db_session: Session
) -> None:
    link = make_link(db_session)
    _submit(client, link, MODERATE, opt_out=False)
    results = client.get(f"{link.url}/results").get_data(as_text=True)
    assert 'id="model-out"' in results
    assert post_form(client, f"{link.url}/model-choice", {"choice": "out"},
                     token_url=f"{link.url}/results").status_code == 303  # fmt: skip
    assert invitation_of(db_session, link).model_opt_out_at is not None
    assert 'id="model-in"' in client.get(f"{link.url}/results").get_data(as_text=True)
    assert post_form(client, f"{link.url}/model-choice", {"choice": "in"},
                     token_url=f"{link.url}/results").status_code == 303  # fmt: skip
    assert invitation_of(db_session, link).model_opt_out_at is None
    choices = db_session.scalars(
        select(AuditEntry.detail)
        .where(AuditEntry.action == "survey.model_choice")
        .where(AuditEntry.object_id == str(link.invitation.id))
        .order_by(AuditEntry.seq)
    ).all()
    assert choices == [{"opt_out": True}, {"opt_out": False}]


@pytest.fixture
def app_client_pair(client: FlaskClient) -> tuple[FlaskClient, FlaskClient]:
    """Two browsers on the test's app and transaction."""
    return client, client.application.test_client()
