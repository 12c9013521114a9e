"""Bounces written in words: the failure notices of Exim, Postfix (without a delivery-status part),
qmail, Exchange, Gmail, Yandex and Mail.ru, which carry no DSN fields to read (RFC 3464).

Such a notice is read like a person would: the opening sentences each of these servers writes say
that delivery failed (a delay warning is no failure), the status code or the words "permanent
error" say whether for good, the notice names the failed addresses, and the returned copy of the
message below it carries its Message-ID. That ID is the only thing that ties a notice to the
desk's mail (`mail.bounces.record` finds it in the outbox, where it was signed for its recipient): a
notice that quotes none of the desk's IDs, forged or not, stops no mail and opens no ticket.
"""

import re
from dataclasses import dataclass, field

# What each server writes near the top of a failure notice.
_FAILED = re.compile(
    "|".join(
        [
            r"could\s+not\s+be\s+delivered\s+to\s+one\s+or\s+more",  # Exim, Postfix
            r"your\s+message\s+could\s+not\s+be\s+delivered",  # Postfix
            r"wasn't\s+able\s+to\s+deliver\s+your\s+message",  # qmail
            r"delivery\s+has\s+failed\s+to\s+these\s+recipients",  # Exchange
            r"your\s+message\s+(?:to\s+\S+\s+)?couldn't\s+be\s+delivered",  # Exchange Online
            r"delivery\s+to\s+the\s+following\s+recipients?\s+failed",  # Gmail, older form
            r"your\s+message\s+wasn't\s+delivered\s+to",  # Gmail
            r"(?:message|письмо)\s+(?:was\s+)?(?:not\s+delivered|undeliverable)",
            r"не\s+(?:был[оа]?\s+|может\s+быть\s+)?доставлен",  # Yandex, Mail.ru: "не было доставлено"
            r"не\s+удалось\s+доставить",
        ]
    ),
    re.IGNORECASE,
)
# Warnings that mail is late, not lost ("will be retried"), whatever else they say.
_DELAYED = re.compile(
    r"warning\s+only|not\s+yet\s+been\s+delivered|will\s+be\s+retried|will\s+(?:keep|continue)\s+trying"
    r"|will\s+retry|\(delay\)|delivery\s+delayed|задерж",
    re.IGNORECASE,
)
# Subjects of failure notices, for a notice whose sender does not say it is automatic.
_SUBJECT = re.compile(
    r"undeliver|returned\s+mail|failure\s+notice|mail\s+delivery\s+failed|delivery\s+status\s+notification"
    r"|delivery\s+failure|недоставлен|не\s+доставлен",
    re.IGNORECASE,
)
# A reply or forward of a notice is a person's mail about it, not the notice.
_ANSWERED = re.compile(r"^\s*(?:re|fwd?|aw|wg|sv|vs|tr|rv|отв|пересл|на)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
# Words on the line where the returned copy of the message (or of its headers) begins.
_COPY = re.compile(
    r"copy\s+of\s+the\s+(?:original\s+)?message|original\s+message|message\s+headers\s+follow"
    r"|undelivered\s+message|исходно[ег]о?\s+(?:сообщени|письм)|копи[яю]\s+(?:вашего\s+)?(?:сообщени|письм)"
    r"|заголовки\s+(?:исходного\s+)?(?:сообщени|письм)",
    re.IGNORECASE,
)
_PERMANENT = re.compile(r"permanent|given\s+up|постоянн|неустранимая", re.IGNORECASE)
_ENHANCED = re.compile(r"(?<![\d.])([245])\.\d{1,3}\.\d{1,3}(?![\d.])")
_REPLY = re.compile(r"(?:^|(?<=[\s#'\"(:]))([245])[0-5]\d(?=[\s-])", re.MULTILINE)
# Begins only where a run of address characters begins, so a long run costs one try, not one per character.
_ADDRESS = re.compile(
    r"(?<![a-z0-9.!#$%&'*+/=?^_`{|}~-])[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE
)
_MESSAGE_ID = re.compile(r"^[ \t>]*message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
# How far into the notice its opening words are looked for, and how much of it is read.
_HEAD = 3000
_NOTICE_MAX = 20000


@dataclass
class Notice:
    # Whether it reports a permanent failure, with the status code ("5.1.1"; "5.0.0" when the
    # notice says "permanent" without a code) and the line that gave it.
    permanent: bool = False
    code: str = ""
    diagnostic: str = ""
    # Addresses the notice names (the failed ones among them), in order.
    recipients: list[str] = field(default_factory=list)
    # Message-IDs of the returned copy of the message.
    message_ids: list[str] = field(default_factory=list)


def is_notice(subject: str, text: str, *, automatic: bool) -> bool:
    """Whether `text` is a failure notice in words: its opening says delivery failed (and is no
    delay warning), and the mail came from a machine (`automatic`) or is titled like a bounce."""
    if _ANSWERED.match(subject or ""):
        return False
    head = _split((text or "")[:_HEAD])[0]
    if not _FAILED.search(head) or _DELAYED.search(head) or _DELAYED.search(subject or ""):
        return False
    return automatic or bool(_SUBJECT.search(subject or ""))


def read(text: str) -> Notice:
    """What a failure notice says: for good or not, with which code, to whom, and of which message."""
    notice_text, returned = _split(text or "")
    notice_text = notice_text[:_NOTICE_MAX]
    notice = Notice()
    for address in _ADDRESS.findall(notice_text):
        if address.lower() not in notice.recipients:
            notice.recipients.append(address.lower())
    for message_id in _MESSAGE_ID.findall(returned or text or ""):
        if message_id not in notice.message_ids:
            notice.message_ids.append(message_id)
    notice.permanent, notice.code, notice.diagnostic = _outcome(notice_text)
    return notice


def _split(text: str) -> tuple[str, str]:
    """(the notice, the returned copy of the message: "" when the notice quotes none)."""
    copy = _COPY.search(text)
    if copy is None:
        return text, ""
    start = text.rfind("\n", 0, copy.start()) + 1
    end = text.find("\n", copy.end())
    return text[:start], text[end + 1 :] if end >= 0 else ""


def _outcome(notice: str) -> tuple[bool, str, str]:
    """(permanent, status, the line that says so). A 5.x.x status or 5xx reply is permanent; a
    4.x.x or 4xx one is not (mail given up after days of trying is no dead address); with no code
    at all, the words "permanent error" decide."""
    enhanced = list(_ENHANCED.finditer(notice))
    replies = list(_REPLY.finditer(notice))
    hard = next((m for m in enhanced if m.group(1) == "5"), None)
    if hard is not None:
        return True, hard.group(0), _line_of(notice, hard.start())
    if enhanced:
        return False, enhanced[0].group(0), _line_of(notice, enhanced[0].start())
    reply = next((m for m in replies if m.group(1) == "5"), None)
    if reply is not None:
        return True, "5.0.0", _line_of(notice, reply.start())
    if replies:
        return False, "4.0.0", _line_of(notice, replies[0].start())
    permanent = _PERMANENT.search(notice)
    if permanent is not None:
        return True, "5.0.0", _line_of(notice, permanent.start())
    return False, "", ""


def _line_of(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return " ".join(text[start : end if end >= 0 else len(text)].split())[:1000]
