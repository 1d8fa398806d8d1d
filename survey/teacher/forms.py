"""Reading the teacher's posted forms strictly: every value one of the item's options, nothing else.

A browser only ever posts what the page offered, so anything outside that — an unknown field, a
repeated field, a value that is not an option, a huge number, "NaN" — is a tampered or broken
request and is refused whole (400), never stored in part.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from instruments import Instrument, Item

# Fields the page form carries besides the answers ("shown": survey.teacher.page_timing).
PAGE_CONTROLS = frozenset({"csrf_token", "go", "shown"})
GO_VALUES = frozenset({"next", "back", "review"})
MAX_VALUE_LENGTH = 8


class BadForm(ValueError):
    """The posted form is not one the page could have produced; ``reason`` is a short code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_page(form: MultiDict[str, str], instrument: Instrument) -> tuple[dict[str, int], str]:
    """The answers on one instrument's page and where to go next; missing items are allowed."""
    items = {item.id: item for item in instrument.items}
    allowed = PAGE_CONTROLS | items.keys()
    answers: dict[str, int] = {}
    for key in form:
        if key not in allowed:
            raise BadForm("unknown_field")
        values = form.getlist(key)
        if len(values) != 1:
            raise BadForm("repeated_field")
        if key in items:
            answers[key] = _option_value(items[key], values[0])
    go = form.get("go", "next")
    if go not in GO_VALUES:
        raise BadForm("bad_control")
    return answers, go


def _option_value(item: Item, raw: str) -> int:
    if len(raw) > MAX_VALUE_LENGTH:
        raise BadForm("bad_value")
    codes = item.codes
    if raw not in codes:
        raise BadForm("bad_value")
    return codes[raw]


def check_answers(answers: Mapping[str, object], instruments: tuple[Instrument, ...]) -> None:
    """Re-check stored answers before scoring: only known items, only option values."""
    known = {item.id: item for inst in instruments for item in inst.items}
    for key, value in answers.items():
        item = known.get(key)
        if item is None or isinstance(value, bool) or not isinstance(value, int):
            raise BadForm("bad_stored_answer")
        if value not in item.codes.values():
            raise BadForm("bad_stored_answer")


def missing_items(
    answers: Mapping[str, object], instruments: tuple[Instrument, ...]
) -> list[tuple[int, Instrument, list[int]]]:
    """Per page with gaps: (page number, instrument, 1-based numbers of unanswered items)."""
    gaps = []
    for page, inst in enumerate(instruments, start=1):
        missing = [n for n, item in enumerate(inst.items, start=1) if item.id not in answers]
        if missing:
            gaps.append((page, inst, missing))
    return gaps


def parse_fields(
    form: MultiDict[str, str], fields: tuple[str, ...], *, digits: bool = True, max_length: int = 12
) -> dict[str, str]:
    """A few short fields (besides the CSRF token); digits are folded from full width.

    An unexpected or repeated field is a BadForm; an over-long or non-digit value reads as ''
    (a wrong answer, which the gate counts like any other).
    """
    allowed = {"csrf_token", *fields}
    if any(key not in allowed or len(form.getlist(key)) > 1 for key in form):
        raise BadForm("unknown_field")
    out = {}
    for field in fields:
        raw = form.get(field, "")
        value = raw.strip().translate(FULL_WIDTH_DIGITS) if len(raw) <= max_length else ""
        if digits and not (value.isascii() and value.isdigit()):
            value = ""
        out[field] = value
    return out


FULL_WIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)}
