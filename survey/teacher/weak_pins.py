"""PINs nobody should choose: what a colleague, a family member or a script tries first.

A 4–6 digit PIN is guessed online, a few tries per lock (``survey.teacher.pin``), so what matters
is the first hundred guesses, not the size of the space. Those are, in published PIN studies and in
Chinese password leaks alike: one digit repeated, runs up and down, short blocks repeated
(1212, 123123), keypad lines (2580), dates (a birthday, a year, 0520) and lucky or loving numbers
(520 "I love you", 1314 "for a lifetime", 168 "all the way to fortune"). Whoever holds the link
has just typed the teacher's phone ending, so a PIN holding those four digits is refused too.

Pure: strings in, a reason code out (``survey/_pin_rejected.html`` words each one).
"""

from __future__ import annotations

import datetime as dt
import itertools

# Runs up and down, wrapping at the ends as phone keypads are typed (7890, 3210987).
_UP = "01234567890123456789"
_DOWN = _UP[::-1]
# Straight and diagonal lines and corners on a phone keypad (1 2 3 / 4 5 6 / 7 8 9 / 0).
_KEYPAD = frozenset(
    {
        "2580", "0852", "1470", "0741", "7410", "3690", "0963", "9630", "1590", "0951",
        "3570", "0753", "1379", "1397", "3179", "7913", "9731", "1478", "3698", "7896",
        "147258", "258369", "147369", "789456", "456123", "159357", "159753", "357159",
        "147852", "369258", "741852", "963852", "852456", "258456",
    }
)  # fmt: skip
# Loving and lucky numbers, as whole PINs: 168 "all the way to fortune", 518 "I will prosper",
# 66 and 88 "smooth" and "fortune", 3344 "life after life", 1711 "with one heart", 7758 "kiss me".
_LUCKY = frozenset(
    {"1688", "16888", "168168", "5188", "518518", "6688", "8866", "6868", "8686", "3344",
     "1711", "7758"}
)  # fmt: skip
# ... and as parts: 520 / 521 "I love you" at either end, 1314 "for a lifetime" anywhere.
_LUCKY_ENDS = ("520", "521")
_LUCKY_INSIDE = ("1314",)
_CENTURIES = ("19", "20")


def weakness(pin: str, phone_digits: str = "") -> str | None:
    """Why ``pin`` (4–6 ASCII digits) is too easy to guess — ``trivial``, ``date``, ``common``
    or ``phone`` — or None when it is not."""
    if _trivial(pin):
        return "trivial"
    if _date_like(pin):
        return "date"
    if _common(pin):
        return "common"
    if len(phone_digits) >= 4 and phone_digits in pin:
        return "phone"
    return None


def _trivial(pin: str) -> bool:
    """One digit repeated, a run (step 1, or 2 as in 2468), a block repeated (1212, 123123),
    pairs in a run (1122, 112233), or a run and its mirror (1221, 123321)."""
    if len(set(pin)) == 1 or pin in _UP or pin in _DOWN or _even_steps(pin, 2):
        return True
    for size in (2, 3):
        if len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size):
            return True
    half = pin[: len(pin) // 2]
    pairs = len(pin) % 2 == 0 and pin[::2] == pin[1::2] and (pin[::2] in _UP or pin[::2] in _DOWN)
    mirror = len(pin) % 2 == 0 and pin == half + half[::-1] and (half in _UP or half in _DOWN)
    return pairs or mirror


def _even_steps(pin: str, step: int) -> bool:
    gaps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    return gaps in ({step}, {-step})


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _date_like(pin: str) -> bool:
    """A birthday or anniversary as people write it in China (year first): MMDD, a year
    (19xx, 20xx), YYMMDD, or a year and month (YYYYMM)."""
    if len(pin) == 4:
        return pin[:2] in _CENTURIES or _is_date(2000, int(pin[:2]), int(pin[2:]))
    if len(pin) == 6:
        yymmdd = _is_date(2000, int(pin[2:4]), int(pin[4:]))
        yyyymm = pin[:2] in _CENTURIES and 1 <= int(pin[4:]) <= 12
        return yymmdd or yyyymm
    return False


def _common(pin: str) -> bool:
    """A keypad line or a loving or lucky number."""
    if pin in _KEYPAD or pin in _LUCKY:
        return True
    return (
        pin.startswith(_LUCKY_ENDS)
        or pin.endswith(_LUCKY_ENDS)
        or any(part in pin for part in _LUCKY_INSIDE)
    )
