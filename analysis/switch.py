"""The second reader's mode: shadow (the default) or live, under dual control.

As with a grant of a role that sees identified data (``accounts.service``), turning the check-in
list on is a request by one security administrator that a second one — not the requester —
approves or rejects. Turning it back to shadow takes one: showing less needs no second pair of
eyes. The mode is the latest approved switch; with none, it is shadow.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.model_models import ModelMode, ModelSwitch, SwitchStatus


class SwitchError(ValueError):
    """A switch the rules refuse; the message is fit to show to the security administrator."""


def current_mode(session: Session) -> ModelMode:
    """Shadow, unless the latest approved switch says live."""
    latest = session.scalars(
        select(ModelSwitch.mode)
        .where(ModelSwitch.status == SwitchStatus.APPROVED)
        .order_by(ModelSwitch.decided_at.desc(), ModelSwitch.id.desc())
        .limit(1)
    ).first()
    return latest or ModelMode.SHADOW


def pending_switch(session: Session) -> ModelSwitch | None:
    """The request to go live that waits for a second security administrator, if any."""
    stmt = select(ModelSwitch).where(ModelSwitch.status == SwitchStatus.PENDING)
    return session.scalars(stmt.order_by(ModelSwitch.id.desc()).limit(1)).first()


def request_switch(
    session: Session, mode: ModelMode, actor_id: uuid.UUID, now: dt.datetime
) -> ModelSwitch:
    """Ask for ``mode``: live waits for a second approval; shadow takes effect at once (and
    ends any pending request to go live)."""
    pending = pending_switch(session)
    if mode is ModelMode.LIVE:
        if current_mode(session) is ModelMode.LIVE:
            raise SwitchError("已是启用状态 / the list is already live")
        if pending is not None:
            raise SwitchError("已有待批准的请求 / a request is already waiting for approval")
    if mode is ModelMode.SHADOW and pending is not None:
        pending.status = SwitchStatus.REJECTED
        pending.decided_by_id, pending.decided_at = actor_id, now
    live = mode is ModelMode.LIVE
    switch = ModelSwitch(
        mode=mode,
        status=SwitchStatus.PENDING if live else SwitchStatus.APPROVED,
        requested_by_id=actor_id,
        requested_at=now,
        decided_by_id=None if live else actor_id,
        decided_at=None if live else now,
    )
    session.add(switch)
    session.flush()
    return switch


def decide_switch(
    session: Session, switch: ModelSwitch, approve: bool, actor_id: uuid.UUID, now: dt.datetime
) -> None:
    """Approve or reject a pending request, as a second security administrator."""
    if switch.status is not SwitchStatus.PENDING:
        raise SwitchError("该请求不在待批准状态 / this request is not pending")
    if actor_id == switch.requested_by_id:
        raise SwitchError("须由另一位安全管理员批准 / a second security administrator must decide")
    switch.status = SwitchStatus.APPROVED if approve else SwitchStatus.REJECTED
    switch.decided_by_id, switch.decided_at = actor_id, now
    session.flush()
