"""The psychologist's "consider a check-in" page and its "take" button (live mode only)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from accounts.events import audit
from accounts.gate import current_principal
from accounts.policy import requires
from analysis.checkins import WORK, CheckinRefused, checkin_list, take_checkin
from config.current import current_settings
from db import utcnow
from db.current import request_session


def add_routes(bp: Blueprint) -> None:
    """The list and the take button."""
    bp.add_url_rule("/checkins", view_func=checkins)
    bp.add_url_rule("/checkins/<uuid:prediction_id>/take", view_func=take, methods=["POST"])


def _session() -> Session:
    return request_session()


@requires(WORK)
def checkins() -> ResponseReturnValue:
    """Teachers in my schools to consider checking in with, sized to my spare capacity."""
    settings = current_settings()
    found = checkin_list(_session(), current_principal(), settings.open_case_cap,
                         exclude_own_school=settings.route_exclude_own_school)  # fmt: skip
    return render_template("analysis/checkins.html", found=found)


@requires(WORK)
def take(prediction_id: uuid.UUID) -> ResponseReturnValue:
    """Open an outreach for one teacher of my list (audited); it shows in my outreach list."""
    try:
        settings = current_settings()
        referral = take_checkin(_session(), current_principal(), prediction_id,
                                settings.open_case_cap, utcnow(),
                                exclude_own_school=settings.route_exclude_own_school)  # fmt: skip
    except CheckinRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("model.checkins"), 303)
    audit("model.checkin_taken", object_type="response", object_id=str(referral.response_id),
          detail={"wave": referral.wave_id})  # fmt: skip
    flash("已开启关怀联系 / an outreach is open for this teacher", "info")
    return redirect(url_for("cases.outreach"), 303)
