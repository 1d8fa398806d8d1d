"""What staff are told about a case's deadline: the words of a reminder or escalation, and the
digest that counts a backlog. ``accounts.staff_notices`` delivers them (an inbox item and an
e-mail, both created once by the step's key).

A message holds a level, a deadline in words and a link to the case page — never the teacher's
name, pseudonym, school, scores or answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from accounts import staff_notices
from accounts.staff_notices import Digest, Notice, Recipient
from alerts.rules import Deadline, Step, StepKind

LEVEL_WORDS = {"crisis": "危机 Crisis", "high": "高风险 High", "moderate": "主动求助 Asked to talk"}
# More steps than this for one person in one batch become one digest e-mail (CASE_DIGEST).
DIGEST_AFTER = 5
# More steps than this for one person in one batch become one digest inbox item (and e-mail) that
# counts them and links the person's queue or district view: a supervisor facing a district's
# backlog needs the list there, not hundreds of inbox rows; each step stays in ``case_steps`` and
# on its case page.
INBOX_DIGEST_AFTER = 20
DIGEST_LINKS = 50
DIGEST_PREFIX = "casedigest"
DEADLINE_WORDS = {
    Deadline.ACKNOWLEDGE: "确认接案 acknowledgement",
    Deadline.CONTACT: "首次联系 first contact",
}


def in_words(moment: dt.datetime, zone: ZoneInfo) -> str:
    """A deadline as people read it: ``2026-12-07 14:00 (Asia/Shanghai)``."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def describe(
    step: Step, level: str, due: dt.datetime, case_url: str, zone: ZoneInfo
) -> tuple[str, str, str]:
    """(inbox title, e-mail subject, e-mail body) for one step: level, deadline, link; no person."""
    level_words = LEVEL_WORDS.get(level, level)
    deadline_words = DEADLINE_WORDS[step.deadline]
    when = in_words(due, zone)
    if step.kind is StepKind.REMINDER:
        title = f"{level_words}个案 · {deadline_words} 将于 {when} 到期 / is due at {when}"
        lead = "提醒：以下个案的时限即将到期。Reminder: a case deadline is near."
    else:
        repeat = f"（第 {step.seq + 1} 次 / notice {step.seq + 1}）"
        title = (
            f"{level_words}个案 · {deadline_words} 已于 {when} 逾期 / overdue since {when}{repeat}"
        )
        lead = (
            "升级：以下个案已逾期，尚无人处理。Escalation: a case is overdue and nobody has "
            "acted on it yet."
        )
    subject = f"心安 Xinan · {title}"
    body = (
        f"{lead}\n\n级别 Level: {level_words}\n时限 Deadline: {deadline_words}, {when}\n\n"
        f"打开个案 Open the case (login required):\n{case_url}\n\n"
        "此邮件不含教师的任何个人信息。This e-mail holds nothing about the teacher.\n"
    )
    return title, subject, body


def deliver_notices(session: Session, notices: Sequence[Notice], now: dt.datetime) -> None:
    """Insert each case notice's inbox item, and its e-mail or the person's digest, once per key."""
    staff_notices.deliver_notices(session, notices, now, CASE_DIGEST)


def _digest(notices: Sequence[Notice]) -> Notice:
    escalations = sum(1 for n in notices if n.kind == "case.escalation")
    links = [_link(n) for n in notices[:DIGEST_LINKS]]
    where = "请在站内消息中逐一查看。Each case is listed in your inbox (login required):"
    return digest(notices[0].key, notices[0].recipient, escalations, len(notices), links, where)


def digest(
    first_key: str,
    recipient: Recipient,
    escalations: int,
    count: int,
    links: Sequence[str],
    where: str,
) -> Notice:
    """One notice about ``count`` steps for one person: the counts, ``where`` and some links.

    Its key is derived from the first step's key, so it too is created once, by the run that did
    the step. It names no case, teacher, score or answer.
    """
    title = (
        f"{count} 个个案需要处理 / cases need attention: "
        f"{escalations} 逾期升级 overdue, {count - escalations} 即将到期 due soon"
    )
    more = count - len(links)
    tail = f"\n… 另有 {more} 个 / and {more} more\n" if more > 0 else "\n"
    body = (
        f"{title}\n\n{where}\n"
        + "\n".join(links)
        + f"{tail}\n"
        + "此邮件不含教师的任何个人信息。This e-mail holds nothing about the teacher.\n"
    )
    key = f"{DIGEST_PREFIX}:{first_key}"
    return Notice(key, recipient, None, "case.digest", title, f"心安 Xinan · {title}", body)


def _link(notice: Notice) -> str:
    # The individual body ends with the case link on its own line after "Open the case".
    lines = [line for line in notice.body.splitlines() if line.startswith("http")]
    return f"- {lines[0] if lines else notice.title}"


# A person with more than DIGEST_AFTER steps in one batch gets one e-mail that counts them and
# links the inbox, which still lists each case.
CASE_DIGEST = Digest(after=DIGEST_AFTER, combine=_digest)
