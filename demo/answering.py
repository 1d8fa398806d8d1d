"""Who answers a demo wave, when, with which answers and page times: from the demo census.

The roster's teachers are the census's (``demo.census``); each teacher's staff number says which
census teacher they are. A census wave's respondents answer the demo wave (for the open wave only
a share of them so far), at times spread over the given span, with the census's answers and page
seconds: one generating process for every wave.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from census.models import Invitation, Wave
from demo.census import demo_census, staff_order
from demo.submissions import Submission, item_ids
from org.models import Teacher
from privacy.lookup import lookup_index
from privacy.vault import key_ring
from scoring.synthetic import SyntheticCensus, synthetic_census
from scoring.teacher_lines import ANALYSIS_BATTERY


def roster_census(session: Session) -> SyntheticCensus:
    """The demo census the roster in the database was made from (its size is the roster's)."""
    return demo_census(int(session.scalar(select(func.count(Teacher.id))) or 0))


def demo_teachers(
    session: Session, census: SyntheticCensus
) -> list[tuple[uuid.UUID, str, int] | None]:
    """Per census teacher: (teacher id, pseudonym, school id) on the roster, None if absent."""
    ring = key_ring()
    index_of = {
        lookup_index(ring, "staff_no", f"DEMO{n + 1:05d}"): int(i)
        for n, i in enumerate(staff_order(census))
    }
    found: list[tuple[uuid.UUID, str, int] | None] = [None] * len(census.ids)
    rows = session.execute(
        select(Teacher.staff_no_index, Teacher.id, Teacher.pseudonym, Teacher.school_id)
    )
    for index, teacher_id, pseudonym, school_id in rows:
        i = index_of.get(bytes(index))
        if i is not None:
            found[i] = (teacher_id, pseudonym, int(school_id))
    return found


def census_submissions(
    session: Session,
    census: SyntheticCensus,
    index: int,
    wave: Wave,
    span: tuple[dt.datetime, dt.datetime],
    *,
    share: float | None = None,
    seed: int = 0,
) -> list[Submission]:
    """The submissions census wave ``index`` gives demo ``wave`` (invited teachers only), spread
    over ``span``; with ``share``, only about that share of the roster has answered so far."""
    drawn = census.waves[index]
    rng = np.random.default_rng(seed)
    answering = drawn.responded.copy()
    if share is not None:
        answered_share = max(float(answering.mean()), share)
        answering &= rng.random(len(answering)) < share / answered_share
    offsets = rng.random(len(answering))
    rows = session.execute(
        select(Invitation.teacher_id, Invitation.id).where(Invitation.wave_id == wave.id)
    )
    invited = {teacher_id: invitation_id for teacher_id, invitation_id in rows}
    columns = item_ids(wave.battery)
    start, end = span
    out = []
    for i, teacher in enumerate(demo_teachers(session, census)):
        if teacher is None or not answering[i] or teacher[0] not in invited:
            continue
        teacher_id, pseudonym, school_id = teacher
        out.append(
            Submission(
                invitation_id=invited[teacher_id],
                pseudonym=pseudonym,
                school_id=school_id,
                submitted_at=start + (end - start) * float(offsets[i]),
                answers={c: int(v) for c, v in zip(columns, drawn.answers[i], strict=True)},
                timings={
                    inst: round(float(s), 1)
                    for inst, s in zip(census.battery, drawn.page_seconds[i], strict=True)
                },
            )
        )
    return out


def synthetic_answers(rng: random.Random, battery: Sequence[str]) -> dict[str, int]:
    """One honest teacher's complete answers to ``battery`` (a subset of the census battery),
    drawn from the census's generating process with a seed taken from ``rng``."""
    while True:
        drawn = synthetic_census(1, 1, careless_share=0.0, seed=rng.getrandbits(32)).waves[0]
        if drawn.responded[0]:
            break
    row = dict(zip(item_ids(ANALYSIS_BATTERY), drawn.answers[0], strict=True))
    return {c: int(row[c]) for c in item_ids(battery)}
