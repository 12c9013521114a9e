"""Reading an email as it arrives, however broken: sender, subject, thread headers, the readable
text, the files, and whether a machine rather than a person sent it.

The standard library parses, in its most lenient mode; `mime.headers` reads headers,
`mime.charsets` turns every byte into text and `mail.body` finds all of the readable text (HTML-only
mail as text by inscriptis). This module puts them together and adds the files, winmail.dat
(tnefparse) and the loop signs of RFC 3834, DSN (RFC 3464) and bounces in words
(`mail.bounce_text`), out-of-office replies without those headers (`auto_replies`), MDN (RFC 3798)
and mailing lists.
"""

import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.parser import BytesParser

import tnefparse
from tnefparse.properties import MAPI_ATTACH_LONG_FILENAME

from shared.mail import auto_replies, bounce_text
from shared.mail import body as mail_body
from shared.mail.body import html_to_text
from shared.mail.body import payload_bytes as _payload_bytes
from shared.mime.charsets import clean
from shared.mime.headers import (
    RAW_HEADERS,
    addresses,
    decode,
    first_address,
    header_text,
    ids_in,
    message_id_of,
    raw_charset,
    repair_header_block,
    unescape,
)

_FOLDED_LINE = re.compile(r"\r?\n(?=[ \t])")
# Real mail nests a handful of multiparts (a forward of a forward, a signed message with an
# alternative inside); the standard library's parser fails at about a thousand.
MAX_NESTING = 50
# A ticket's number in the subject: the desk's own `[#1042]`, the `#[1042]` form, or a bare `#1042`
# (not inside a word, an HTML entity such as `&#1042;`, or a longer number).
_SUBJECT_TAGS = (
    re.compile(r"\[#(\d{1,9})\]"),
    re.compile(r"#\[(\d{1,9})\]"),
    re.compile(r"(?<![\w&#/])#(\d{1,9})(?![\w\]])"),
)
# Looked up at most: a subject listing many numbers costs no more than this.
_SUBJECT_TAGS_MAX = 3
# Parts that are never the readable body but one file each (not descended into).
_OPAQUE_TYPES = ("message/", "text/rfc822-headers")
_FAILURE_SUBJECT = re.compile(
    r"undeliver|returned mail|failure notice|delivery (status notification \(failure\)|failure|failed)",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list"}
_SPAM_HEADERS = ("X-Spam-Flag", "X-Spam-Status", "X-Spam")
_DAEMONS = ("mailer-daemon@", "postmaster@")
# What the desk calls a file without a name, by type.
_DEFAULT_NAMES = {
    "message/rfc822": "message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/feedback-report": "feedback-report.txt",
    "text/rfc822-headers": "headers.txt",
    "application/ms-tnef": "winmail.dat",
}


@dataclass
class MailFile:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass
class ParsedMail:
    message_id: str | None = None
    from_addr: str | None = None
    from_name: str = ""
    # How many mailboxes From names (RFC 5322 allows several); mail naming more than one never speaks for an agent.
    sender_count: int = 0
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    # Plain text: the text/plain body, or the HTML body as text when there is no plain one.
    text: str = ""
    # The HTML body as sent (unsanitised: never show it without `markup.sanitize_html`).
    html: str = ""
    # Every part that is not the readable body, one file each (a forwarded message, winmail.dat...).
    attachments: list[MailFile] = field(default_factory=list)
    # Files unpacked from winmail.dat, which is kept as it is in `attachments` as well.
    unpacked: list[MailFile] = field(default_factory=list)
    # Files left out unread for being over the attachment limit (`mail.size.slim`): (name, bytes).
    refused: list[tuple[str, int]] = field(default_factory=list)
    # RFC 3834 and friends: an automatic message (auto-reply, bounce, read receipt, abuse report),
    # or an out-of-office reply without those headers (`auto_replies`).
    is_auto_reply: bool = False
    # `Auto-Submitted: auto-forwarded`: a person's mail sent on by a forwarding rule, read as theirs
    # but never answered automatically (RFC 3834).
    is_auto_forwarded: bool = False
    # What the receiving servers' spam filters said: (header name, value) of X-Spam-Flag, X-Spam-Status
    # (SpamAssassin) and X-Spam (rspamd).
    spam_flags: list[tuple[str, str]] = field(default_factory=list)
    is_bounce: bool = False
    # Mailing-list or bulk mail: written by a person perhaps, but never acknowledged.
    is_bulk: bool = False
    # The sender asked not to be answered automatically (X-Auto-Response-Suppress).
    no_auto_response: bool = False
    # The Message-IDs of the message a bounce or receipt reports on, from its returned headers.
    reported_ids: list[str] = field(default_factory=list)
    # Authentication-Results headers (RFC 8601), top (the last hop's) first.
    auth_results: list[str] = field(default_factory=list)
    # A DSN's permanent failures (Action: failed, Status: 5.x.x): (recipient, status, diagnostic).
    hard_failures: list[tuple[str, str, str]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """The IDs this message answers, most telling first: In-Reply-To, then References newest first,
        then (for reports) the IDs of the message reported on."""
        seen: dict[str, None] = {}
        for message_id in [*self.in_reply_to, *reversed(self.references), *self.reported_ids]:
            seen.setdefault(message_id, None)
        return list(seen)

    @property
    def ticket_numbers(self) -> list[int]:
        """The numbers the subject names as a ticket's (`[#1042]`, `#[1042]`, then bare `#1042`), in
        that order, each once, at most a few."""
        found: list[int] = []
        for tag in _SUBJECT_TAGS:
            found += [n for n in map(int, tag.findall(self.subject)) if n not in found]
        return found[:_SUBJECT_TAGS_MAX]

    @property
    def wants_no_acknowledgement(self) -> bool:
        return self.is_auto_reply or self.is_auto_forwarded or self.is_bulk or self.no_auto_response

    @property
    def all_files(self) -> list[MailFile]:
        return [*self.attachments, *self.unpacked]


class NestedTooDeep(ValueError):
    """MIME parts nested deeper than MAX_NESTING: the standard library's parser would take seconds
    and then exhaust Python's recursion limit on it."""


def parse(raw: bytes) -> ParsedMail:
    """Everything the desk needs from one message. Never raises on malformed mail (what cannot be
    read is left empty and noted in `defects`), except NestedTooDeep: such a message is quarantined,
    and an agent can still make it a ticket with what `mail.body.salvage_text` reads."""
    # Fewer boundary declarations than the limit cannot nest deeper: counting them is cheap.
    if raw.count(b"oundary") + raw.count(b"OUNDARY") > MAX_NESTING and (depth := mail_body.nesting(raw)) > MAX_NESTING:
        raise NestedTooDeep(f"multiparts nested {depth} deep; at most {MAX_NESTING} are read")
    message = message_from_bytes(repair_header_block(raw), policy=RAW_HEADERS)
    charset = raw_charset(message)
    mail = _read_headers(message, charset)
    _read_parts(message, mail, charset)
    _classify(message, mail)
    mail.defects = [type(d).__name__ for d in message.defects] + mail.defects
    return mail


def peek(raw: bytes) -> ParsedMail:
    """Only what the header block says (Message-ID, sender, subject, thread): cheap, for storing,
    however large the message (only the header block is read)."""
    message = BytesParser(policy=RAW_HEADERS).parsebytes(repair_header_block(header_block(raw)), headersonly=True)
    return _read_headers(message, raw_charset(message))


def header_block(raw: bytes) -> bytes:
    """The message's header block with the blank line that ends it (all of it when it has no body)."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return raw[: min(ends) + 4] if ends else raw


def _read_headers(message: Message, charset: str | None = None) -> ParsedMail:
    """The header block, raw 8-bit bytes read in `charset` (see `mime.headers.raw_charset`)."""
    mail = ParsedMail()
    mail.message_id = message_id_of(message)
    mail.from_addr, mail.from_name = first_address(message.get_all("From") or [], charset)
    mail.sender_count = len(addresses(message.get_all("From") or [], charset))
    mail.to = addresses(message.get_all("To") or [], charset)
    mail.cc = addresses(message.get_all("Cc") or [], charset)
    mail.subject = header_text(message.get("Subject"), charset)
    mail.in_reply_to = ids_in(header_text(message.get("In-Reply-To")))
    mail.references = ids_in(" ".join(header_text(v) for v in message.get_all("References") or []))
    mail.auth_results = [header_text(v) for v in message.get_all("Authentication-Results") or []]
    return mail


# --- body and files --------------------------------------------------------------------------


def _leaves(part: Message, alternative: Message | None = None):
    """(leaf, nearest multipart/alternative ancestor) for each leaf; message/* parts are leaves."""
    if part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), list):
        inner = part if part.get_content_subtype() == "alternative" else alternative
        for child in part.get_payload():
            yield from _leaves(child, inner)
    elif part.get_content_maintype() != "multipart":
        yield part, alternative


def _read_parts(message: Message, mail: ParsedMail, charset: str | None) -> None:
    """The readable body (see `mail.body`), every other part one file, winmail.dat unpacked."""
    body = mail_body.read(message, charset)
    mail.text, mail.html, mail.defects = body.text, body.html, body.defects
    mail.attachments = [_file_of(part, charset) for part in body.files]
    for tnef in [f for f in mail.attachments if f.content_type == "application/ms-tnef"]:
        _unpack_tnef(tnef, mail)


def _file_of(part: Message, charset: str | None = None) -> MailFile:
    content_type = part.get_content_type()
    data = _opaque_bytes(part) if content_type.startswith(_OPAQUE_TYPES) else _payload_bytes(part)
    name = _filename(part, charset)
    if not name:
        name = _DEFAULT_NAMES.get(content_type) or _name_for_type(content_type)
    return MailFile(filename=name, content_type=content_type, data=data, content_id=header_text(part.get("Content-ID")))


def _opaque_bytes(part: Message) -> bytes:
    """A message/* part's content as it was sent: what follows the part's own header block."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return b"\n".join(p.as_bytes() for p in payload if isinstance(p, Message))
    return _payload_bytes(part)


def _filename(part: Message, charset: str | None = None) -> str:
    """The file's name: RFC 2231 and RFC 2047 forms decoded, raw 8-bit bytes read in `charset`."""
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if raw is None:
        return ""
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, value)
        try:
            value = raw[2].encode("latin-1", "surrogateescape")
            return decode(value, raw[0] or None, hint=charset)
        except UnicodeEncodeError:
            return unescape(raw[2], charset)
    return header_text(raw.strip('"'), charset)


def file_name(part: Message, charset: str | None = None) -> str:
    """What the desk calls the file a part is: its own name, else one for its type."""
    content_type = part.get_content_type()
    return _filename(part, charset) or _DEFAULT_NAMES.get(content_type) or _name_for_type(content_type)


def _name_for_type(content_type: str) -> str:
    maintype, _, subtype = content_type.partition("/")
    extension = {"plain": "txt", "jpeg": "jpg", "octet-stream": "bin"}.get(subtype, subtype.split("+")[0])
    return f"{maintype if maintype in ('image', 'text') else 'file'}.{extension or 'bin'}"


def _unpack_tnef(tnef: MailFile, mail: ParsedMail) -> None:
    """The files inside winmail.dat, and its text when the mail has none of its own."""
    try:
        parsed = tnefparse.TNEF(tnef.data)
    except Exception:  # a damaged winmail.dat stays attached as it is
        mail.defects.append("TNEFUnreadable")
        return
    codepage = parsed.codepage if isinstance(parsed.codepage, str) else None
    for item in parsed.attachments:
        mail.unpacked.append(
            MailFile(filename=_tnef_name(item, codepage), content_type="application/octet-stream", data=item.data)
        )
    if not mail.text.strip():
        mail.text = _tnef_text(parsed.body, codepage).strip()
        if not mail.text and parsed.htmlbody:
            mail.text = html_to_text(_tnef_text(parsed.htmlbody, codepage))


def _tnef_name(item: "tnefparse.tnef.TNEFAttachment", codepage: str | None) -> str:
    """An unpacked file's name: the long one (MAPI, already text) or the 8-bit title, read in the
    winmail.dat's code page when that is how it reads best, else as detected (tnefparse itself
    reads titles as UTF-8 and fails on any other)."""
    long_names = [a.data for a in item.mapi_attrs if a.name == MAPI_ATTACH_LONG_FILENAME]
    name = next((n for n in long_names if isinstance(n, str) and n.strip("\x00")), None)
    if name is None:
        title = item._name  # the title's bytes as stored (`item.name` decodes them as UTF-8)
        name = decode(title.split(b"\x00")[0], None, hint=codepage) if isinstance(title, bytes) else str(title)
    return clean(name).strip() or "attachment"


def _tnef_text(body: object, codepage: str | None) -> str:
    if isinstance(body, bytes):
        return decode(body, None, hint=codepage)
    return clean(body) if isinstance(body, str) else ""


# --- automatic mail --------------------------------------------------------------------------


def _classify(message: Message, mail: ParsedMail) -> None:
    """RFC 3834 and common practice: who sent this, a person, a robot answering, or a list."""
    auto_submitted = header_text(message.get("Auto-Submitted")).lower().split(";")[0].split("(")[0].strip()
    precedence = header_text(message.get("Precedence")).lower().strip()
    return_path = header_text(message.get("Return-Path")).strip()
    suppress = header_text(message.get("X-Auto-Response-Suppress")).lower()
    report_type = (
        (message.get_param("report-type") or "").lower() if message.get_content_type() == "multipart/report" else ""
    )

    mail.is_auto_forwarded = auto_submitted == "auto-forwarded"
    mail.is_auto_reply = bool(
        (auto_submitted and auto_submitted not in ("no", "auto-forwarded"))
        or message.get("X-Autoreply")
        or message.get("X-Autorespond")
        or precedence == "auto_reply"
        or return_path == "<>"
        or report_type
        or (mail.from_addr or "").startswith(_DAEMONS)
        or auto_replies.is_vacation_reply(mail.subject, mail.text)
    )
    mail.spam_flags = [(name, header_text(v)) for name in _SPAM_HEADERS for v in message.get_all(name) or []]
    mail.is_bulk = precedence in _BULK_PRECEDENCE or bool(message.get("List-Id") or message.get("List-Unsubscribe"))
    mail.no_auto_response = any(word in suppress for word in ("all", "oof", "autoreply"))
    read_fields = _read_report(message, mail, report_type) if report_type or mail.is_auto_reply else False
    if not read_fields and bounce_text.is_notice(mail.subject, mail.text, automatic=mail.is_auto_reply):
        _read_notice(message, mail, report_type)


def _read_notice(message: Message, mail: ParsedMail, report_type: str) -> None:
    """A bounce in words (Exim, qmail, Exchange...; see `mail.bounce_text`): the failure it reports,
    and the IDs of the returned message, quoted in its text or attached."""
    if not mail.is_auto_reply:  # titled and written like a bounce, from a sender that does not say so
        mail.is_auto_reply = True
        _read_report(message, mail, report_type)
    notice = bounce_text.read(mail.text)
    mail.is_bounce = True
    mail.reported_ids += [m for m in notice.message_ids if m not in mail.reported_ids]
    if notice.permanent:
        failed = notice.recipients or [""]
        mail.hard_failures = [(address, notice.code, notice.diagnostic) for address in failed]


def _read_report(message: Message, mail: ParsedMail, report_type: str) -> bool:
    """For a report (DSN, MDN, ARF) or a daemon's notice: did delivery fail, and of which message.
    A DSN says so in its Action fields (then True: fields were read); a report whose fields cannot
    be read (or a daemon's plain notice) is judged by the usual subjects of a failure."""
    actions: set[str] = set()
    for part, _alternative in _leaves(message):
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            status = _opaque_bytes(part).decode("utf-8", "replace")
            actions.update(re.findall(r"^\s*action:\s*([a-z]+)", status.lower(), re.MULTILINE))
            mail.hard_failures += _hard_failures(status)
        elif content_type in ("message/rfc822", "text/rfc822-headers"):
            returned = message_from_bytes(_opaque_bytes(part), policy=RAW_HEADERS)
            found = message_id_of(returned)
            if found:
                mail.reported_ids.append(found)
    if actions:
        mail.is_bounce = "failed" in actions
    elif report_type in ("", "delivery-status"):
        mail.is_bounce = bool(_FAILURE_SUBJECT.search(mail.subject))
    return bool(actions)


_STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}")


def _hard_failures(status: str) -> list[tuple[str, str, str]]:
    """The recipients a DSN's delivery-status part (RFC 3464) reports as failed for good: their
    Action is "failed" and their Status a 5.x.x code. Each recipient's fields are a block of their
    own, after the per-message block."""
    found = []
    for block in re.split(r"\r?\n[ \t]*\r?\n", status.strip()):
        fields: dict[str, str] = {}
        for line in _FOLDED_LINE.sub(" ", block).splitlines():
            name, colon, value = line.partition(":")
            if colon:
                fields.setdefault(name.strip().lower(), value.strip())
        code = _STATUS.match(fields.get("status", ""))
        if fields.get("action", "").lower() != "failed" or code is None or code.group(1) != "5":
            continue
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        address = first_address([recipient.partition(";")[2] or recipient])[0] or ""
        found.append((address, code.group(0), fields.get("diagnostic-code", "").partition(";")[2].strip()[:1000]))
    return found
