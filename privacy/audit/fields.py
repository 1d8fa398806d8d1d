"""What may be written into an audit entry: actions, outcomes, pseudonymous ids and a small detail.

The audit log is kept for years, read by auditors and copied into archives, and nothing in it is
encrypted — it must stay useful for an investigation without becoming a second copy of the data
it protects. So every field is checked against an allow-list of shapes, not a deny-list of
secrets: ids are UUIDs, pseudonyms or integers; words are lower-case ASCII without digits. A name
(any non-ASCII or capitalised text), a phone number, a TOTP code, a link token, a password or an
answer fails those shapes, so it cannot reach the log by mistake. Detail keys that name such
things are refused as well, because an integer alone cannot be told apart from a TOTP code.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping

MAX_DETAIL_KEYS = 8
# Ten digits hold any row id or count this system will reach, but not an 11-digit mobile
# number or an 18-digit ID-card number.
MAX_INT = 10**10
DECIMAL_ID = re.compile(r"(?:0|[1-9][0-9]{0,9})\Z")
WORD = re.compile(r"[a-z]+(?:[._:-][a-z]+)*\Z")
KEY = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")
ACTION = re.compile(r"[a-z]+(?:_[a-z]+)*(?:\.[a-z]+(?:_[a-z]+)*){1,3}\Z")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
PSEUDONYM = re.compile(r"P[A-Z2-7]{16}\Z")
# Substrings of detail keys that announce content the log must never hold.
FORBIDDEN_KEY_PARTS = (
    "answer", "code", "email", "mail", "name", "note", "otp", "passw", "phone", "pin",
    "secret", "staff_no", "text", "token", "totp", "mobile", "address", "id_card",
)  # fmt: skip
SYSTEM_ACTORS = ("system", "anonymous")


class AuditFieldError(ValueError):
    """A field of an audit entry has a shape the log does not accept; the message says which."""


class Action(enum.StrEnum):
    """The catalogue of audited actions (other dotted lower-case names are accepted too)."""

    LOGIN_OK = "auth.login.ok"
    LOGIN_FAILED = "auth.login.failed"
    LOGOUT = "auth.logout"
    IDENTITY_REVEAL = "identity.reveal"
    ANSWERS_VIEW = "answers.view"
    CASE_TRANSITION = "case.transition"
    EXPORT = "export"
    ROLE_GRANT = "role.grant"
    ROLE_APPROVE = "role.approve"
    ROLE_REVOKE = "role.revoke"
    KEYS_ROTATE = "keys.rotate"
    AUTHZ_DENY = "authz.deny"


class Outcome(enum.StrEnum):
    """How the audited action ended."""

    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"
    ERROR = "error"


def check_action(action: str) -> str:
    """A catalogue action or a dotted lower-case name such as ``account.disable``."""
    text = str(action)
    if text in Action.__members__.values() or (len(text) <= 64 and ACTION.match(text)):
        return text
    raise AuditFieldError("action must be a dotted lower-case name such as auth.login.ok")


def check_outcome(outcome: str) -> str:
    """One of the Outcome values."""
    try:
        return Outcome(outcome).value
    except ValueError:
        raise AuditFieldError(f"outcome must be one of {[o.value for o in Outcome]}") from None


def check_actor(actor: str | int | uuid.UUID) -> str:
    """'system', 'anonymous', or a pseudonymous account id — never a typed user name."""
    if isinstance(actor, str) and actor in SYSTEM_ACTORS:
        return actor
    return check_id(actor, "actor")


def check_object_type(object_type: str | None) -> str | None:
    """A lower-case word such as ``teacher`` or ``case``."""
    if object_type is None:
        return None
    if len(object_type) <= 40 and WORD.match(object_type):
        return object_type
    raise AuditFieldError("object_type must be a short lower-case word")


def check_id(value: str | int | uuid.UUID | None, what: str = "object_id") -> str:
    """A UUID, a teacher pseudonym or a non-negative integer of up to ten digits, as text."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_INT:
        return str(value)
    if isinstance(value, str) and (
        UUID_TEXT.match(value) or PSEUDONYM.match(value) or DECIMAL_ID.match(value)
    ):
        return value
    raise AuditFieldError(
        f"{what} must be a UUID, a pseudonym or an integer id of up to ten digits"
    )


def check_detail(detail: Mapping[str, object] | None) -> dict[str, str | int | bool | None]:
    """A copy of ``detail`` once every key and value has an allowed shape."""
    if detail is None:
        return {}
    if len(detail) > MAX_DETAIL_KEYS:
        raise AuditFieldError(f"detail holds at most {MAX_DETAIL_KEYS} keys")
    checked: dict[str, str | int | bool | None] = {}
    for key, value in detail.items():
        if not isinstance(key, str) or not KEY.match(key):
            raise AuditFieldError("detail keys are short lower-case identifiers")
        if any(part in key for part in FORBIDDEN_KEY_PARTS):
            raise AuditFieldError(f"detail key {key!r} names content the audit log must not hold")
        checked[key] = _detail_value(key, value)
    return checked


def _detail_value(key: str, value: object) -> str | int | bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -MAX_INT < value < MAX_INT:
            return value
    elif isinstance(value, uuid.UUID):
        return str(value)
    elif isinstance(value, str) and _is_word_or_id(value):
        return value
    # The value itself is not echoed: it may be exactly what must not be written anywhere.
    raise AuditFieldError(
        f"detail {key!r} must be an integer, a boolean, a UUID, a pseudonym or a lower-case word"
    )


def _is_word_or_id(value: str) -> bool:
    return bool(
        (len(value) <= 40 and WORD.match(value)) or UUID_TEXT.match(value) or PSEUDONYM.match(value)
    )
