"""Password hashing (argon2id) and the password rules: 12–128 characters, not a common one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn scores 0–4 from its dictionaries of common passwords, names and patterns.
MIN_STRENGTH = 3
# A stored hash that no password matches (argon2 hashes start with "$"): an account whose owner
# has not yet set a password through their enrolment link.
UNUSABLE_PREFIX = "!"
_KEY = "xinan.passwords"  # the app's hasher in app.extensions, read only through this module


class PasswordRejected(ValueError):
    """The new password breaks a rule; the message says which, in words for the user."""


@dataclass(frozen=True)
class HashCost:
    """Argon2id cost; OWASP's minimum is 19 MiB of memory with 2 passes."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


class Passwords:
    """Hashes and checks passwords with one configured cost."""

    def __init__(self, cost: HashCost) -> None:
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
        )
        # Verified against when the user name is unknown, so both paths cost the same.
        self._dummy_hash = self._hasher.hash("no such account: equal work for unknown names")

    def hash(self, password: str) -> str:
        """An argon2id hash of ``password``."""
        return self._hasher.hash(password)

    @staticmethod
    def unusable() -> str:
        """A stored hash that no password matches."""
        return UNUSABLE_PREFIX + secrets.token_hex(16)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no usable hash, the same work is done anyway."""
        if stored_hash and stored_hash.startswith(UNUSABLE_PREFIX):
            stored_hash = None
        try:
            return self._hasher.verify(stored_hash or self._dummy_hash, password) and bool(
                stored_hash
            )
        except (VerificationError, InvalidHashError):
            return False


def install_passwords(app: Flask, passwords: Passwords) -> None:
    """Make ``passwords`` the hasher of ``app`` (one cost, from its settings)."""
    app.extensions[_KEY] = passwords


def passwords_of(app: Flask) -> Passwords:
    """The password hasher of ``app``."""
    passwords: Passwords = app.extensions[_KEY]
    return passwords


def current_passwords() -> Passwords:
    """The password hasher of the app handling this request or CLI command."""
    return passwords_of(current_app)


def check_new_password(password: str, *, context: tuple[str, ...] = ()) -> None:
    """Raise PasswordRejected unless ``password`` is 12–128 characters and not common."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"密码至少 {MIN_LENGTH} 个字符 / at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"密码最多 {MAX_LENGTH} 个字符 / at most {MAX_LENGTH} characters")
    # zxcvbn's cost grows with length; the first 64 characters decide whether it is common.
    if zxcvbn(password[:64], user_inputs=list(context))["score"] < MIN_STRENGTH:
        raise PasswordRejected("密码过于常见或容易猜到 / too common or too easy to guess")
