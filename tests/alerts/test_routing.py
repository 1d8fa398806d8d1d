"""Routing as a pure choice: self, same school, cap, least loaded, and nobody (the supervisors)."""

from __future__ import annotations

import uuid

from alerts.routing import Candidate, RoutingPolicy, choose

TEACHER = uuid.uuid4()
SCHOOL = 7
POLICY = RoutingPolicy(cap=15, exclude_same_school=True)


def candidate(load: int, school: int | None = 99, teacher: uuid.UUID | None = None) -> Candidate:
    return Candidate(uuid.uuid4(), teacher or uuid.uuid4(), school, load)


def test_the_least_loaded_eligible_psychologist_is_chosen() -> None:
    busy, light, middle = candidate(9), candidate(2), candidate(5)
    assert choose([busy, light, middle], TEACHER, SCHOOL, POLICY) == light.account_id


def test_a_teacher_is_never_routed_to_themselves_even_if_least_loaded() -> None:
    themselves = candidate(0, school=3, teacher=TEACHER)
    other = candidate(8)
    assert choose([themselves, other], TEACHER, SCHOOL, POLICY) == other.account_id
    relaxed = RoutingPolicy(exclude_same_school=False)
    assert choose([themselves], TEACHER, SCHOOL, relaxed) is None


def test_a_colleague_at_the_same_school_is_skipped_by_default() -> None:
    colleague, elsewhere = candidate(0, school=SCHOOL), candidate(4, school=12)
    assert choose([colleague, elsewhere], TEACHER, SCHOOL, POLICY) == elsewhere.account_id
    relaxed = RoutingPolicy(exclude_same_school=False)
    assert choose([colleague, elsewhere], TEACHER, SCHOOL, relaxed) == colleague.account_id


def test_a_psychologist_at_the_cap_is_skipped() -> None:
    full, below = candidate(15), candidate(14)
    assert choose([full, below], TEACHER, SCHOOL, POLICY) == below.account_id
    assert choose([full], TEACHER, SCHOOL, POLICY) is None
    assert choose([full], TEACHER, SCHOOL, RoutingPolicy(cap=16)) == full.account_id


def test_nobody_eligible_leaves_the_case_for_the_supervisors() -> None:
    assert choose([], TEACHER, SCHOOL, POLICY) is None
    only = [candidate(0, teacher=TEACHER), candidate(0, school=SCHOOL), candidate(15)]
    assert choose(only, TEACHER, SCHOOL, POLICY) is None


def test_ties_are_broken_reproducibly() -> None:
    a, b = candidate(3), candidate(3)
    expected = min(a, b, key=lambda c: str(c.account_id)).account_id
    assert (
        choose([a, b], TEACHER, SCHOOL, POLICY)
        == choose([b, a], TEACHER, SCHOOL, POLICY)
        == expected
    )
