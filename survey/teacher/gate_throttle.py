"""Guessing at the teacher's gate across links: one address, and a burst of locks.

Each link locks after a few wrong answers (``survey.teacher.pin``), but whoever holds many links — a
school office with the printed sheets, an administrator — could guess a few times on each. So
wrong phone endings, PINs and reset codes are also counted per address, across every link: past
``gate_failures_per_address_per_hour`` within the hour, every link's gate answers 429 to that
address. And many links locking at once (``gate_lock_burst`` within ``gate_lock_burst_minutes``,
any links, any addresses) is told to the security administrators, once per burst, and audited.

Counted in the lost-link throttle table as keyed digests and times only — of "gate-ip:<address>"
for failures, of fixed names for locks and bursts — and purged with it after a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from accounts.security_notify import notify_security_admins
from config.settings import Settings
from privacy.audit.record import record
from privacy.keys import KeyRing
from privacy.lookup import lookup_index
from survey.invitations.lost_link import recent_requests
from survey.invitations.models import LostLinkAttempt
from survey.teacher.flow import FlowError

_FIELD = "lost_link"  # the lookup-index domain of the throttle table


class AddressThrottled(FlowError):
    """Too many wrong answers from this address within the hour, across all links."""

    status = 429
    reason = "throttled"


@dataclass(frozen=True)
class Guesser:
    """Who is answering at a gate: their address (as a keyed digest) and the limits."""

    address_key: bytes
    lock_key: bytes
    burst_key: bytes
    settings: Settings

    @classmethod
    def at(cls, settings: Settings, ring: KeyRing, address: str) -> Guesser:
        """The guesser behind ``address`` (``request.remote_addr``)."""
        return cls(
            address_key=lookup_index(ring, _FIELD, f"gate-ip:{address}"),
            lock_key=lookup_index(ring, _FIELD, "gate-lock"),
            burst_key=lookup_index(ring, _FIELD, "gate-lock-burst"),
            settings=settings,
        )


def check_address(session: Session, guesser: Guesser, now: dt.datetime) -> None:
    """Raise AddressThrottled when this address has used up its wrong answers for the hour."""
    failures = recent_requests(session, guesser.address_key, now)
    if failures >= guesser.settings.gate_failures_per_address_per_hour:
        raise AddressThrottled()


def count_failure(session: Session, guesser: Guesser, now: dt.datetime) -> None:
    """Count one wrong answer against the address."""
    session.add(LostLinkAttempt(key=guesser.address_key, at=now))


def count_lock(session: Session, guesser: Guesser, now: dt.datetime) -> None:
    """Count a link that just locked; at the burst threshold, tell the security administrators
    — unless this burst was already told.

    A burst goes on while locks keep coming that fast: each lock that finds the threshold met
    within the window leaves a mark, and only a lock that finds no mark within the window (the
    last burst ended a whole window ago, or there was none) sends a notice.
    """
    session.add(LostLinkAttempt(key=guesser.lock_key, at=now))
    session.flush()
    settings = guesser.settings
    window = dt.timedelta(minutes=settings.gate_lock_burst_minutes)
    locks = recent_requests(session, guesser.lock_key, now, window)
    if locks < settings.gate_lock_burst:
        return
    marked = session.scalar(
        select(
            exists().where(
                LostLinkAttempt.key == guesser.burst_key, LostLinkAttempt.at > now - window
            )
        )
    )
    session.add(LostLinkAttempt(key=guesser.burst_key, at=now))
    if marked:
        return
    minutes = settings.gate_lock_burst_minutes
    told = notify_security_admins(
        session,
        key=f"gatelocks:{now:%Y%m%dT%H%M%S.%f}",
        kind="security.gate_locks",
        title=f"{minutes} 分钟内有 {locks} 个教师链接被锁定 / {locks} teacher links locked "
        f"within {minutes} minutes",
        body=_BODY.format(locks=locks, minutes=minutes),
        now=now,
    )
    detail = {"locks": locks, "minutes": minutes, "told": told}
    record(session, "system", "survey.gate.lock_burst", detail=detail)


_BODY = (
    "{minutes} 分钟内有 {locks} 个教师链接因输错手机尾号、PIN 码或验证码而被锁定。"
    "这可能是有人持有大量链接（例如打印的链接表）在猜测。请查看审计日志中的 "
    "survey.gate.locked 记录，并与相关学校核实。\n\n"
    "{locks} teacher links were locked within {minutes} minutes after wrong phone endings, PINs "
    "or codes. Someone holding many links (a printed sheet, say) may be guessing. Look at the "
    "survey.gate.locked entries in the audit log and check with the schools concerned.\n\n"
    "此通知不含任何教师的个人信息。This notice holds nothing about any teacher.\n"
)
