"""Cleaning and parsing one roster cell. Errors carry a reason, never the value.

Every cell is NFKC-normalised (full-width digits and letters become ASCII), stripped of
zero-width characters that copy-and-paste leaves behind, and refused when it holds control
characters, bidirectional overrides (which make a cell display differently from what it is) or
the leading = + - @ that spreadsheets execute as a formula when the data is exported again.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

# Invisible characters that carry no meaning in a roster: dropped silently.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORMULA_START = ("=", "+", "-", "@")
_SPACES = re.compile(r"\s+")
_STAFF_NO = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")
_NUMBER = re.compile(r"(\d{1,6})(?:\.0+)?")
_PHONE_JUNK = re.compile(r"[\s()\-]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# RFC 5322 dot-atom of ASCII atext, at most 64 characters: what email-validator accepts unchanged.
_SIMPLE_LOCAL = re.compile(
    r"(?=.{1,64}\Z)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
_MAX_ADDRESS = 254

GENDERS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
BOOLEANS = {
    "是": True, "否": False, "yes": True, "no": False, "y": True, "n": False,
    "true": True, "false": False, "1": True, "0": False,
}  # fmt: skip


class CellError(ValueError):
    """A cell's value is unacceptable; ``str(error)`` is the reason, without the value."""


def clean(raw: str, max_length: int, *, formula_check: bool = True) -> str:
    """The cell as NFKC text with invisible characters dropped and whitespace collapsed."""
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    # Fast path for the plain cells that make up nearly every roster: nothing to drop or refuse.
    if text.isprintable():
        if "  " in text:
            text = _SPACES.sub(" ", text)
    else:
        text = text.translate(_ZERO_WIDTH)
        _refuse_invisible(text)
        text = _SPACES.sub(" ", text)
    text = text.strip()
    if len(text) > max_length:
        raise CellError(f"is longer than {max_length} characters")
    if formula_check and text.startswith(_FORMULA_START):
        raise CellError("starts with = + - or @ and would run as a spreadsheet formula")
    return text


def _refuse_invisible(text: str) -> None:
    # Only reached for the rare cell that is not plainly printable, to keep bulk imports fast.
    for ch in text:
        if ch in _BIDI:
            raise CellError("contains a bidirectional control character")
        category = unicodedata.category(ch)
        if category == "Cc" and ch != "\t":
            raise CellError(f"contains a control character ({_control_name(ch)})")
        if category in ("Cf", "Cs", "Co", "Cn") and not ch.isspace():
            raise CellError("contains an invisible, unassigned or private-use character")


def _control_name(ch: str) -> str:
    names = {"\x00": "NUL", "\r": "CR", "\n": "LF", "\t": "tab"}
    return names.get(ch, f"U+{ord(ch):04X}")


def parse_staff_no(text: str) -> str:
    """Upper-case, without inner spaces; letters, digits and . _ / - only."""
    value = text.replace(" ", "").upper()
    if not _STAFF_NO.fullmatch(value):
        raise CellError("a staff number may hold only letters, digits and . _ / -")
    return value


def parse_gender(text: str) -> str:
    """男/女 or M/F (also male/female), stored as M or F."""
    try:
        return GENDERS[text.casefold()]
    except KeyError:
        raise CellError("must be 男/女 or M/F") from None


def parse_bool(text: str) -> bool:
    """是/否, yes/no, true/false or 1/0."""
    try:
        return BOOLEANS[text.casefold()]
    except KeyError:
        raise CellError("must be 是/否, yes/no, true/false or 1/0") from None


def parse_int(text: str, low: int, high: int) -> int:
    """A whole number within [low, high] (a trailing .0 from a spreadsheet is accepted)."""
    match = _NUMBER.fullmatch(text.removesuffix("年"))
    if not match:
        raise CellError(f"must be a whole number from {low} to {high}")
    value = int(match.group(1))
    if not low <= value <= high:
        raise CellError(f"must be a whole number from {low} to {high}")
    return value


def parse_phone(text: str) -> str:
    """A mainland mobile number as 11 digits; +86, 0086, spaces, dashes and brackets tolerated."""
    digits = _PHONE_JUNK.sub("", text)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.fullmatch(digits):
        raise CellError("must be a mainland mobile number (11 digits starting with 13-19)")
    return digits


def parse_email(text: str) -> str:
    """The normalised address; syntax only (email-validator, no DNS look-up)."""
    local, at, domain = text.rpartition("@")
    simple = _SIMPLE_LOCAL.fullmatch(local) and local.lower() not in CASE_INSENSITIVE_MAILBOX_NAMES
    known = _checked_domain(domain) if at and simple and domain.isascii() else None
    if known is not None and len(local) + 1 + len(known) <= _MAX_ADDRESS:
        # Shortcut for the common case, same result as the library (a test pins the equivalence):
        # a plain ASCII local part is kept as is and the domain was already checked by it.
        return f"{local}@{known}"
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        # The library's message quotes the address; ours must not.
        raise CellError("is not a valid e-mail address") from None
    return str(checked.normalized)


@functools.lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    # Checking a domain (IDNA, UTS-46) is most of email-validator's cost, and a roster has few.
    try:
        return str(validate_email("x@" + domain, check_deliverability=False).domain)
    except EmailNotValidError:
        return None
