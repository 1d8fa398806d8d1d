"""System administrators' wave pages: list, create, edit, forecast, state changes, print sheets."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.events import audit
from accounts.policy import requires
from accounts.roles import Permission
from census.models import Wave
from config.current import current_settings
from config.settings import Settings
from db import utcnow
from db.current import request_session
from notifications.sweep import delivery_summary
from org.models import School
from privacy.vault import key_ring
from survey.invitations.service import status_counts
from survey.teacher.flow import minutes_to_answer
from survey.waves.forecast_data import release_reader, wave_forecast
from survey.waves.forms import (
    ConfirmForm,
    UnitOpeningForm,
    WaveForm,
    parse_opening,
    population_choices,
)
from survey.waves.population import Unit
from survey.waves.rules import (
    EDITABLE,
    WaveError,
    has_safety_item,
    is_battery_locked,
    to_local,
)
from survey.waves.service import (
    change_state,
    create_wave,
    known_instruments,
    set_unit_opening,
    update_wave,
)
from survey.waves.sheets import school_sheets, slips

MANAGE = Permission.WAVES_MANAGE
ACTIONS = "schedule,unschedule,open,close,release"
# The outbox counts on the wave page: invitations and reminders only
# (``survey.invitations.messages`` keys). Never the staff's notices about cases: a pending
# reminder e-mail dates a crisis case.
WAVE_MESSAGES = ("invite", "remind")


def make_blueprint() -> Blueprint:
    """Routes under /waves for system administrators."""
    bp = Blueprint("waves", __name__, url_prefix="/waves")
    bp.add_url_rule("", view_func=wave_list)
    bp.add_url_rule("/new", view_func=new_wave, methods=["GET", "POST"])
    bp.add_url_rule("/<int:wave_id>", view_func=wave_detail)
    bp.add_url_rule("/<int:wave_id>/edit", view_func=edit_wave, methods=["GET", "POST"])
    bp.add_url_rule(
        f"/<int:wave_id>/<any({ACTIONS}):action>", view_func=wave_action, methods=["POST"]
    )
    bp.add_url_rule("/<int:wave_id>/units/<int:unit_id>", view_func=unit_opening, methods=["POST"])
    bp.add_url_rule("/<int:wave_id>/sheets", view_func=sheet_index)
    bp.add_url_rule("/<int:wave_id>/sheets/<int:school_id>", view_func=sheet)
    bp.add_url_rule("/<int:wave_id>/sheets/<int:school_id>/download", view_func=sheet_download)
    return bp


def _session() -> Session:
    return request_session()


def _settings() -> Settings:
    return current_settings()


def _wave(wave_id: int) -> Wave:
    wave = _session().get(Wave, wave_id)
    if wave is None:
        abort(404)
    return wave


def _local(when: object) -> str:
    return to_local(when, _settings().timezone)  # type: ignore[arg-type]


@requires(MANAGE)
def wave_list() -> ResponseReturnValue:
    """Every wave, newest first."""
    waves = _session().scalars(select(Wave).order_by(Wave.opens_at.desc())).all()
    return render_template("waves/list.html", waves=waves, local=_local)


def _form_page(form: WaveForm, wave: Wave | None, status: int = 200) -> ResponseReturnValue:
    warn = not has_safety_item((form.battery.data or "").split(","))
    return (
        render_template(
            "waves/form.html",
            form=form,
            wave=wave,
            known=known_instruments(),
            no_safety_warning=warn,
        ),
        status,
    )


@requires(MANAGE)
def new_wave() -> ResponseReturnValue:
    """Create a draft wave."""
    form = WaveForm()
    form.population.choices = population_choices(_session())
    if form.validate_on_submit():
        try:
            wave = create_wave(_session(), form.to_spec(_settings().timezone), utcnow())
        except WaveError as error:
            flash(str(error), "error")
            return _form_page(form, None, 400)
        audit("wave.create", object_type="wave", object_id=str(wave.id))
        return redirect(url_for("waves.wave_detail", wave_id=wave.id))
    return _form_page(form, None)


@requires(MANAGE)
def edit_wave(wave_id: int) -> ResponseReturnValue:
    """Change a draft or scheduled wave (the battery only until the first answer)."""
    wave = _wave(wave_id)
    if wave.state not in EDITABLE:
        flash("只能修改草稿或已排期的普查 / only draft or scheduled waves can change", "error")
        return redirect(url_for("waves.wave_detail", wave_id=wave.id))
    form = WaveForm(obj=None)
    form.population.choices = population_choices(_session())
    if form.validate_on_submit():
        try:
            update_wave(_session(), wave, form.to_spec(_settings().timezone))
        except WaveError as error:
            flash(str(error), "error")
            return _form_page(form, wave, 400)
        audit("wave.update", object_type="wave", object_id=str(wave.id))
        return redirect(url_for("waves.wave_detail", wave_id=wave.id))
    if not form.is_submitted():
        form.name.data, form.battery.data = wave.name, ",".join(wave.battery)
        form.opens_at.data, form.closes_at.data = _local(wave.opens_at), _local(wave.closes_at)
        form.population.data = [Unit(u.district_id, u.school_id).label() for u in wave.units]
        form.confirm_no_safety_item.data = wave.no_safety_item_confirmed
    return _form_page(form, wave)


@requires(MANAGE)
def wave_detail(wave_id: int) -> ResponseReturnValue:
    """A wave: state, population, invitations, the capacity forecast and the actions.

    Nothing on it counts cases, outreach or risk levels live (issue 15): the invitation counts
    are participation, the forecast reads frozen figures, the outbox counts invitations only.
    """
    wave, session = _wave(wave_id), _session()
    rates, districts = wave_forecast(session, _settings(), wave, release_reader(current_app))
    schools = {s.id: s for s in session.scalars(select(School))}
    return render_template(
        "waves/detail.html",
        wave=wave,
        local=_local,
        counts=status_counts(session, wave.id),
        rates=rates,
        districts=districts,
        schools=schools,
        no_safety=not has_safety_item(wave.battery),
        locked=is_battery_locked(wave),
        editable=wave.state in EDITABLE,
        form=ConfirmForm(),
        unit_form=UnitOpeningForm(),
        cap=_settings().open_case_cap,
        delivery=delivery_summary(session, _settings(), WAVE_MESSAGES),
    )


@requires(MANAGE)
def wave_action(wave_id: int, action: str) -> ResponseReturnValue:
    """Schedule, unschedule, open now, close now or release."""
    wave, form = _wave(wave_id), ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        state = change_state(_session(), wave, action, utcnow())
    except WaveError as error:
        flash(str(error), "error")
        return redirect(url_for("waves.wave_detail", wave_id=wave.id))
    audit(
        f"wave.{action}", object_type="wave", object_id=str(wave.id), detail={"state": state.value}
    )
    return redirect(url_for("waves.wave_detail", wave_id=wave.id))


@requires(MANAGE)
def unit_opening(wave_id: int, unit_id: int) -> ResponseReturnValue:
    """Open one district or school later than the wave."""
    wave, form = _wave(wave_id), UnitOpeningForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        opens = parse_opening(form.opens_at.data, _settings().timezone)
        set_unit_opening(_session(), wave, unit_id, opens)
    except WaveError as error:
        flash(str(error), "error")
        return redirect(url_for("waves.wave_detail", wave_id=wave.id))
    audit("wave.unit_opening", object_type="wave", object_id=str(wave.id), detail={"unit": unit_id})
    return redirect(url_for("waves.wave_detail", wave_id=wave.id))


@requires(MANAGE)
def sheet_index(wave_id: int) -> ResponseReturnValue:
    """The schools of a wave, each with a link to its printable sheet."""
    wave = _wave(wave_id)
    return render_template("waves/sheets.html", wave=wave, sheets=school_sheets(_session(), wave))


def _sheet_page(wave_id: int, school_id: int, action: str) -> str:
    wave, session = _wave(wave_id), _session()
    school = session.get(School, school_id)
    if school is None:
        abort(404)
    made = slips(session, _settings(), key_ring(), wave, school_id)
    if not made:
        abort(404)
    audit(
        action,
        object_type="school",
        object_id=str(school_id),
        detail={"wave": wave.id, "slips": len(made)},
    )
    return render_template(
        "waves/sheet.html",
        wave=wave,
        school=school,
        slips=made,
        closes=_local(wave.closes_at),
        minutes=minutes_to_answer(tuple(wave.battery)),
    )


@requires(MANAGE)
def sheet(wave_id: int, school_id: int) -> ResponseReturnValue:
    """One school's printable slips: name, link and QR code per teacher (audited)."""
    return _sheet_page(wave_id, school_id, "wave.sheet_view")


@requires(MANAGE)
def sheet_download(wave_id: int, school_id: int) -> ResponseReturnValue:
    """The same slips as a file to print elsewhere (audited)."""
    page = _sheet_page(wave_id, school_id, "wave.sheet_export")
    return Response(
        page,
        mimetype="text/html",
        headers={
            "Content-Disposition": f'attachment; filename="wave-{wave_id}-school-{school_id}.html"'
        },
    )
