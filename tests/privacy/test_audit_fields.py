"""Audit entries accept pseudonymous ids, words and numbers only: never names, phones or codes."""

from __future__ import annotations

import uuid

import pytest

from privacy.audit.fields import (
    Action,
    AuditFieldError,
    check_action,
    check_actor,
    check_detail,
    check_id,
    check_outcome,
)


def test_short_ids_enums_and_numbers_are_accepted() -> None:
    grant = uuid.uuid4()
    detail = {
        "reason": "bad_password",
        "permission": "identity:reveal",
        "grant": grant,
        "teacher": "PABCDEFGHIJKLMNOP",
        "rows": 113000,
        "new_device": True,
        "previous": None,
    }
    assert check_detail(detail) == {**detail, "grant": str(grant)}
    assert check_actor("anonymous") == "anonymous"
    assert check_actor(grant) == str(grant)
    assert check_id(42) == check_id("42") == "42"
    assert check_action(Action.IDENTITY_REVEAL) == "identity.reveal"
    assert check_action("account.disable") == "account.disable"
    assert check_outcome("denied") == "denied"


@pytest.mark.parametrize(
    "value",
    [
        "张伟",  # a name
        "Zhang Wei",  # a name in Latin letters
        "13912345678",  # a mobile number as text
        13912345678,  # and as a number
        "110101199003077777",  # an ID-card number
        "123456",  # a TOTP code or PIN as text
        "t1@example.edu.cn",  # an e-mail address
        "k3J9_x-Qz8Lp0vT2mN5bR7cW1yH4dF6g",  # a link token
        "9f86d081884c7d659a2feaa0c55ad015",  # a hex token
        "I feel hopeless most days",  # an answer
        1.5,  # floats (and NaN) are not ids or counts
        ["case"],
    ],
)
def test_detail_refuses_values_that_could_carry_personal_data(value: object) -> None:
    with pytest.raises(AuditFieldError) as caught:
        check_detail({"value": value})
    assert str(value) not in str(caught.value), "the refused value must not be echoed"


@pytest.mark.parametrize(
    "key", ["name", "phone", "totp_code", "token", "password", "answer_9", "Reason", "a b"]
)
def test_detail_refuses_keys_that_name_content(key: str) -> None:
    with pytest.raises(AuditFieldError):
        check_detail({key: 1})


def test_detail_is_small() -> None:
    with pytest.raises(AuditFieldError, match="at most"):
        check_detail({f"k{n}": n for n in range(9)})


@pytest.mark.parametrize("actor", ["zhang.wei", "13912345678", "admin@example.cn", -1, "", None])
def test_actor_is_an_account_id_or_system_never_a_typed_user_name(actor: object) -> None:
    with pytest.raises(AuditFieldError):
        check_actor(actor)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", ["Login", "auth login", "auth.login.ok.now.later", "x" * 70, ""])
def test_action_is_a_short_dotted_name(action: str) -> None:
    with pytest.raises(AuditFieldError):
        check_action(action)


def test_outcome_is_from_the_catalogue() -> None:
    with pytest.raises(AuditFieldError):
        check_outcome("maybe")
