"""The second reader's staff pages: the model card (analysts and supervisors), the switch
(security administrators, ``switch_views``) and the check-in list (psychologists,
``checkins_views``), on one blueprint.

The model card shows what the model learned from and how it did, in aggregates with small
groups suppressed; no page shows any teacher's prediction except the live check-in list.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.policy import requires
from accounts.roles import Permission
from analysis import checkins_views, switch_views
from analysis.model_files import current_model
from analysis.model_models import RiskEvaluation
from analysis.switch import current_mode
from census.models import Wave
from db.current import request_session

DOCS = "docs/models/"


def make_blueprint() -> Blueprint:
    """Routes under /model and /checkins."""
    bp = Blueprint("model", __name__)
    bp.add_url_rule("/model", view_func=model_card)
    switch_views.add_routes(bp)
    checkins_views.add_routes(bp)
    return bp


def _session() -> Session:
    return request_session()


@requires(Permission.MODEL_READ)
def model_card() -> ResponseReturnValue:
    """The current model's card: data, chosen model, held-out metrics, fairness, mode, and how
    its stored predictions fared."""
    session = _session()
    model = current_model(session)
    evaluations: list[RiskEvaluation] = []
    if model is not None:
        stmt = select(RiskEvaluation).where(RiskEvaluation.model_id == model.id)
        evaluations = list(session.scalars(stmt.order_by(RiskEvaluation.id)).all())
    waves = {wid: name for wid, name in session.execute(select(Wave.id, Wave.name))}
    context: dict[str, Any] = {
        "model": model,
        "record": model.record if model is not None else {},
        "evaluations": evaluations,
        "waves": waves,
        "mode": current_mode(session),
        "docs": DOCS,
    }
    return render_template("analysis/model_card.html", **context)
