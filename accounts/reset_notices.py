"""What an account's owner is told about a reset, at their own contact: who asked, who approved,
and the one-time link. Never the new credential itself; no administrator sees any of it."""

from __future__ import annotations

import datetime as dt

from accounts.courier import ACCOUNT, EMAIL, Contact, Notice
from accounts.enrolment import LINK_LIFETIME
from accounts.models import CredentialReset, StaffAccount

KEY_PREFIX = "acctreset"
CONTACT_KEY_PREFIX = "acctcontact"
SUBJECT = "心安 Xinan · 账号 Account"
HOURS = int(LINK_LIFETIME.total_seconds() // 3600)
IF_NOT_YOU = "如果这不是您要求的，请立即联系单位的安全管理员。"
IF_NOT_YOU_EN = "If you did not ask for this, tell your security administrators at once."


def key(reset: CredentialReset, kind: str) -> str:
    """The outbox key of one message about ``reset``: ``acctreset:<id>:<kind>``."""
    return f"{KEY_PREFIX}:{reset.id}:{kind}"


def _notice(reset: CredentialReset, kind: str, zh: str, en: str) -> Notice:
    contact = Contact(reset.channel, reset.destination or "", reset.contact_source)
    body = f"【心安】{zh}" if contact.channel != EMAIL else f"{zh}\n\n{en}\n"
    return Notice(key(reset, kind), contact, SUBJECT, body)


def asked(reset: CredentialReset, username: str, requester: str) -> Notice:
    """A reset that waits for a second approval was asked for."""
    zh = (
        f"安全管理员 {requester} 申请重置您的心安账号 {username} 的密码和身份验证器。"
        "另一位安全管理员批准后，您会收到一次性设置链接；在您完成设置之前，该账号暂停一切权限。"
        + IF_NOT_YOU
    )
    en = (
        f"Security administrator {requester} asked to reset the password and authenticator of "
        f"your Xinan account {username}. Once a second security administrator approves, you "
        "will receive a one-time set-up link; until you have used it, the account can do "
        "nothing. " + IF_NOT_YOU_EN
    )
    return _notice(reset, "asked", zh, en)


def link(
    reset: CredentialReset, username: str, url: str, requester: str, approver: str | None
) -> Notice:
    """The one-time link, saying who asked for it (and who approved it)."""
    if reset.reason == "new":
        zh_what = f"安全管理员 {requester} 为您创建了心安账号 {username}。"
        en_what = (
            f"Security administrator {requester} created the Xinan account {username} for you."
        )
    elif approver is None:
        zh_what = f"安全管理员 {requester} 申请重置您的心安账号 {username} 的密码和身份验证器。"
        en_what = (
            f"Security administrator {requester} asked to reset the password and authenticator "
            f"of your Xinan account {username}."
        )
    else:
        zh_what = f"您的心安账号 {username} 的重置由安全管理员 {requester} 申请，{approver} 批准。"
        en_what = (
            f"The reset of your Xinan account {username} was asked for by security "
            f"administrator {requester} and approved by {approver}."
        )
    zh = (
        f"{zh_what}请在 {HOURS} 小时内打开此一次性链接，设置新密码并绑定新的身份验证器："
        f"{url} 请勿转发。" + ("" if reset.reason == "new" else IF_NOT_YOU)
    )
    en = (
        f"{en_what} Within {HOURS} hours, open this one-time link to set a new password and "
        f"enrol a new authenticator: {url} Do not forward it."
        + ("" if reset.reason == "new" else " " + IF_NOT_YOU_EN)
    )
    return _notice(reset, "link", zh, en)


def cancelled(reset: CredentialReset, username: str, by: str) -> Notice:
    """The reset was cancelled; any link sent for it no longer works."""
    zh = f"安全管理员 {by} 取消了对您的心安账号 {username} 的重置，之前发送的链接（如有）已失效。"
    en = (
        f"Security administrator {by} cancelled the reset of your Xinan account {username}; "
        "any link sent for it no longer works."
    )
    return _notice(reset, "cancelled", zh, en)


def contact_changed(account: StaffAccount, old: str, by: str, now: dt.datetime) -> Notice:
    """Told at the old address: the account's contact e-mail was changed, and by whom."""
    stamp = f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%S%f}"
    zh = (
        f"安全管理员 {by} 更改了您的心安账号 {account.username} 的联系邮箱，"
        "今后的通知和设置链接将发往新地址。" + IF_NOT_YOU
    )
    en = (
        f"Security administrator {by} changed the contact e-mail of your Xinan account "
        f"{account.username}; notices and set-up links will go to the new address. " + IF_NOT_YOU_EN
    )
    contact = Contact(EMAIL, old, ACCOUNT)
    return Notice(f"{CONTACT_KEY_PREFIX}:{account.id}:{stamp}", contact, SUBJECT, f"{zh}\n\n{en}\n")
