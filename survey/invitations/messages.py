"""Invitation messages, reminders, resent links and PIN codes, put into the outbox under unique
keys.

Keys: ``invite:<invitation>`` once the teacher's part of the wave opens,
``remind:<invitation>:<day>`` on each reminder day, ``relink:<invitation>:<request>`` for a
lost link, ``pincode:<invitation>:<sent at>`` for a "forgot my PIN" code. One message per
event, over the first channel in ``notify_channels`` that the roster has a contact for.

The guard registered for ``invite`` and ``remind`` cancels a message that waited (SMS quiet
hours, a failing channel) while its teacher submitted, declined or withdrew, or while the wave
closed; a resent link is cancelled when the wave closed first, and is not held back by the
quiet hours (the teacher is waiting for it). Neither is a PIN code, which is cancelled once it
has expired, was used or replaced, or its teacher declined, withdrew or left the roster.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Invitation, InvitationStatus, Wave
from config.settings import Settings
from notifications.models import Channel, Notification
from notifications.outbox import Message, QuietHours, enqueue, register_asked_for, register_guard
from org.models import School, Teacher
from privacy.vault import key_ring
from survey.invitations.service import AWAITING, chunks, link_url
from survey.teacher import pin as pins
from survey.teacher.flow import minutes_to_answer
from survey.waves.rules import to_local, unit_opens_at, wave_accepts_answers


def quiet_hours(settings: Settings) -> QuietHours:
    """The SMS quiet hours of these settings."""
    return QuietHours.parse(settings.sms_quiet_start, settings.sms_quiet_end, settings.timezone)


def contact_for(teacher: Teacher, channels: Sequence[str]) -> tuple[Channel, str] | None:
    """The first channel in ``channels`` the roster holds a contact for, with that contact."""
    for name in channels:
        value = teacher.phone if name == "sms" else teacher.email
        if value:
            return Channel(name), value
    return None


def reminder_time(opens_at: dt.datetime, day: int, hour: int, zone: ZoneInfo) -> dt.datetime:
    """Day ``day`` of a window that opened at ``opens_at`` (day 1), at ``hour`` local time."""
    first = opens_at.astimezone(zone).date()
    local = dt.datetime.combine(first + dt.timedelta(days=day - 1), dt.time(hour), tzinfo=zone)
    return local.astimezone(dt.UTC)


def due_reminder_day(
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    days: Sequence[int],
    hour: int,
    zone: ZoneInfo,
    now: dt.datetime,
) -> int | None:
    """The latest reminder day whose time has come, before the close; None when none is due.

    After a scheduler outage only the latest due day is sent: a teacher never gets two
    reminders in a row for days that passed while nobody was sweeping.
    """
    due = [
        d
        for d in days
        if reminder_time(opens_at, d, hour, zone) <= now
        and reminder_time(opens_at, d, hour, zone) < closes_at
    ]
    return max(due) if due else None


def _text(settings: Settings, wave: Wave, url: str, reminder: bool) -> tuple[str, str]:
    closes = to_local(wave.closes_at, settings.timezone)
    lead = "温馨提醒：您还没有完成" if reminder else "诚邀您参加"
    subject = f"心安 · {wave.name}"
    body = (
        f"【心安】老师您好，{lead}“{wave.name}”教师身心健康普查"
        f"（自愿参加，约 {minutes_to_answer(tuple(wave.battery))} 分钟），"
        f"截止 {closes}。您的个人链接：{url} 请勿转发。"
    )
    return subject, body


def _message(
    settings: Settings, wave: Wave, invitation: Invitation, key: str, reminder: bool
) -> Message | None:
    contact = contact_for(invitation.teacher, settings.notify_channel_list)
    if contact is None:
        return None
    url = link_url(settings, key_ring(), invitation.id)
    subject, body = _text(settings, wave, url, reminder)
    channel, recipient = contact
    return Message(key, channel, recipient, body, subject if channel is Channel.EMAIL else None)


def _unsent(session: Session, keys: list[str]) -> set[str]:
    present: set[str] = set()
    for part in chunks(keys):
        present.update(session.scalars(select(Notification.key).where(Notification.key.in_(part))))
    return set(keys) - present


def enqueue_for_wave(
    session: Session, settings: Settings, wave: Wave, now: dt.datetime, reminders: bool
) -> int:
    """Invitations (or reminders) now due for the wave's waiting teachers; returns how many."""
    schools = {int(s): int(d) for s, d in session.execute(select(School.id, School.district_id))}
    zone = ZoneInfo(settings.timezone)
    keyed: dict[str, Invitation] = {}
    for invitation in session.scalars(
        select(Invitation).where(Invitation.wave_id == wave.id, Invitation.status.in_(AWAITING))
    ):
        opens = unit_opens_at(wave, invitation.school_id, schools[invitation.school_id])
        if opens is None or opens > now or now >= wave.closes_at:
            continue
        if not reminders:
            keyed[f"invite:{invitation.id}"] = invitation
            continue
        day = due_reminder_day(
            opens, wave.closes_at, settings.reminder_day_list, settings.reminder_hour, zone, now
        )
        if day is not None:
            keyed[f"remind:{invitation.id}:{day}"] = invitation
    added = 0
    for key in sorted(_unsent(session, list(keyed))):
        message = _message(settings, wave, keyed[key], key, reminders)
        if message is not None and enqueue(session, message, now, quiet_hours(settings)):
            added += 1
    session.flush()
    return added


def enqueue_relink(
    session: Session, settings: Settings, invitation: Invitation, now: dt.datetime
) -> bool:
    """Send a teacher's link again to the roster contact (never to the screen)."""
    key = f"relink:{invitation.id}:{uuid.uuid4()}"
    message = _message(settings, invitation.wave, invitation, key, reminder=False)
    return message is not None and enqueue(session, message, now, quiet_hours(settings))


def enqueue_pin_code(
    session: Session, settings: Settings, invitation: Invitation, code: str, now: dt.datetime
) -> bool:
    """Send the "forgot my PIN" code just issued at ``now`` to the roster contact; False when
    the roster has none."""
    contact = contact_for(invitation.teacher, settings.notify_channel_list)
    if contact is None:
        return False
    channel, recipient = contact
    body = (
        f"【心安】您的 PIN 码重置验证码是 {code}，{pins.RESET_CODE_MINUTES} 分钟内有效，"
        "请勿告诉他人。如果不是您本人操作，请忽略本消息，您的答卷仍然安全。"
    )
    subject = "心安 · PIN 码重置验证码" if channel is Channel.EMAIL else None
    message = Message(_pin_code_key(invitation.id, now), channel, recipient, body, subject)
    return enqueue(session, message, now, quiet_hours(settings))


def _pin_code_key(invitation_id: uuid.UUID, sent_at: dt.datetime) -> str:
    # When the code was issued, to the microsecond: a newer code has a newer key.
    return f"pincode:{invitation_id}:{sent_at.astimezone(dt.UTC):%Y%m%dT%H%M%S%f}"


def pin_code_still_useful(session: Session, key: str, now: dt.datetime) -> bool:
    """Guard of a PIN code: it is still the invitation's latest, unused and unexpired, and its
    teacher is still on the roster and has not declined or withdrawn."""
    invitation = _invitation_of(session, key)
    if invitation is None or invitation.pin_reset_sent_at is None:
        return False
    latest = _pin_code_key(invitation.id, invitation.pin_reset_sent_at)
    return (
        key == latest
        and pins.reset_code_live(invitation, now)
        and invitation.status not in (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN)
        and invitation.teacher.is_active
    )


def invitation_still_waiting(session: Session, key: str, now: dt.datetime) -> bool:
    """Guard: the teacher has not answered, declined or withdrawn, and the wave takes answers."""
    invitation = _invitation_of(session, key)
    return (
        invitation is not None
        and invitation.status in AWAITING
        and _wave_takes_answers(session, invitation, now)
    )


def link_still_useful(session: Session, key: str, now: dt.datetime) -> bool:
    """Guard of a resent link: the wave still takes answers (it was open when asked for; a link
    to a census that has since closed would only confuse)."""
    invitation = _invitation_of(session, key)
    return invitation is not None and _wave_takes_answers(session, invitation, now)


def _invitation_of(session: Session, key: str) -> Invitation | None:
    try:
        invitation_id = uuid.UUID(key.split(":")[1])
    except (IndexError, ValueError):
        return None
    return session.get(Invitation, invitation_id)


def _wave_takes_answers(session: Session, invitation: Invitation, now: dt.datetime) -> bool:
    school = session.get(School, invitation.school_id)
    return (
        invitation.teacher.is_active
        and school is not None
        and wave_accepts_answers(invitation.wave, school, now)
    )


def register_guards() -> None:
    """Guards for invitations, reminders, resent links and PIN codes; a resent link or a PIN
    code, which the teacher has just asked for, goes out at once even in the SMS quiet hours."""
    register_guard("invite", invitation_still_waiting)
    register_guard("remind", invitation_still_waiting)
    register_guard("relink", link_still_useful)
    register_asked_for("relink")
    register_guard("pincode", pin_code_still_useful)
    register_asked_for("pincode")
