"""Forms for the wave pages (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from org.models import District
from survey.waves.population import Unit
from survey.waves.rules import DEFAULT_BATTERY, to_utc
from survey.waves.service import WaveSpec

LOCAL_HINT = "YYYY-MM-DD HH:MM（北京时间 Asia/Shanghai）"


class WaveForm(FlaskForm):  # type: ignore[misc]
    """Name, battery, window and population of a wave."""

    name = StringField("名称 Name", validators=[DataRequired(), Length(max=200)])
    battery = StringField(
        "问卷组合 Battery (instrument ids in order)",
        default=",".join(DEFAULT_BATTERY),
        validators=[DataRequired(), Length(max=200)],
    )
    opens_at = StringField(f"开始 Opens · {LOCAL_HINT}", validators=[DataRequired()])
    closes_at = StringField(f"结束 Closes · {LOCAL_HINT}", validators=[DataRequired()])
    population = SelectMultipleField(
        "对象 Population", choices=[], validate_choice=False, validators=[DataRequired()]
    )
    confirm_no_safety_item = BooleanField(
        "我确认：本次问卷不含 PHQ-9（没有安全条目，无法发现自伤风险） / "
        "I confirm this battery has no PHQ-9 and so no safety item"
    )

    def to_spec(self, timezone: str) -> WaveSpec:
        """The form's values as a WaveSpec; WaveError names what is wrong."""
        return WaveSpec(
            name=self.name.data or "",
            battery=tuple((self.battery.data or "").replace("，", ",").split(",")),
            opens_at=to_utc(self.opens_at.data or "", timezone),
            closes_at=to_utc(self.closes_at.data or "", timezone),
            units=tuple(Unit.parse(value) for value in self.population.data or []),
            confirm_no_safety_item=bool(self.confirm_no_safety_item.data),
        )


class UnitOpeningForm(FlaskForm):  # type: ignore[misc]
    """When one district or school opens (empty: with the wave)."""

    opens_at = StringField(f"开放时间 Opens · {LOCAL_HINT}", validators=[Optional()])


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: the form exists for its CSRF token."""


def population_choices(session: Session) -> list[tuple[str, str]]:
    """City, every district and every school, as ``parse``-able values with labels."""
    choices = [("city", "全市 Whole city")]
    for district in session.scalars(select(District).order_by(District.name)):
        choices.append((f"district:{district.id}", f"区 {district.name}"))
        for school in sorted(district.schools, key=lambda s: s.name):
            choices.append((f"school:{school.id}", f"　{district.name} / {school.name}"))
    return choices


def parse_opening(text: str | None, timezone: str) -> dt.datetime | None:
    """A unit's opening time from the form, or None for "with the wave" (WaveError if garbled)."""
    return to_utc(text, timezone) if text and text.strip() else None
