"""The response-quality note for the psychologist: some answers may not reflect how the teacher
feels, and which signs suggested it, in plain words.

Read from ``census.quality`` (written by the analysis job), only for a response that still holds
its answers: withdrawal and retention erase the note with them. The case page shows it to the
case's holder and the supervisors who work it; the outreach page to the psychologists who may
take the outreach up. Nobody else is shown a note, and it changes nothing: a person decides.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from census.models import Response
from census.quality import ResponseQuality

# The indices of ``scoring.quality`` in plain words (Chinese, English).
SIGNS: dict[str, tuple[str, str]] = {
    "seconds_per_item": ("作答过快", "answered very fast"),
    "longstring": ("同一选项连续作答", "the same option many times in a row"),
    "irv": ("各题作答过于一致或过于分散", "answers unusually uniform or scattered"),
    "even_odd": ("前后矛盾", "answers contradict each other"),
    "antonyms": ("相反含义的题目作答相同", "opposite questions answered alike"),
    "mahalanobis": ("作答组合十分少见", "a very unusual pattern of answers"),
}


@dataclass(frozen=True)
class QualityNote:
    """A flagged response's note: the signs that agreed, each in Chinese and English."""

    signs: list[tuple[str, str]]


def _note(reasons: list[str]) -> QualityNote:
    return QualityNote([SIGNS.get(name, (name, name)) for name in reasons])


def quality_notes(
    session: Session, response_ids: Collection[uuid.UUID | None]
) -> dict[uuid.UUID, QualityNote]:
    """The notes of the flagged responses among ``response_ids`` that still hold answers."""
    wanted = [response_id for response_id in response_ids if response_id is not None]
    if not wanted:
        return {}
    rows = session.execute(
        select(ResponseQuality.response_id, ResponseQuality.reasons)
        .join(Response, Response.id == ResponseQuality.response_id)
        .where(
            ResponseQuality.response_id.in_(wanted),
            ResponseQuality.flagged.is_(True),
            Response.withdrawn_at.is_(None),
            Response.answers_sealed.is_not(None),
        )
    ).all()
    return {row.response_id: _note(list(row.reasons or [])) for row in rows}


def quality_note(session: Session, response_id: uuid.UUID | None) -> QualityNote | None:
    """One response's note, or None when it is not flagged (or has no note)."""
    return quality_notes(session, [response_id]).get(response_id) if response_id else None
