"""Reading an email as it arrives, however broken: sender, subject, thread headers, the readable
text, the files, and whether a machine rather than a person sent it.

The standard library parses, in its most lenient mode, and `mail_headers` reads headers and
charsets; this module adds the body/attachment split that mail clients show, HTML-only mail as
text (inscriptis), winmail.dat (tnefparse) and the loop signs of RFC 3834, DSN (RFC 3464) and
bounces in words (`mail_bounce_text`), MDN (RFC 3798) and mailing lists.
"""

import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.parser import BytesParser

import tnefparse
from inscriptis import get_text

from shared import mail_bounce_text, mail_ids
from shared.mail_headers import (
    RAW_HEADERS,
    addresses,
    decode,
    first_address,
    header_text,
    message_id_of,
    repair_header_block,
    unescape,
)

_FOLDED_LINE = re.compile(r"\r?\n(?=[ \t])")
_SUBJECT_TAG = re.compile(r"\[#(\d{1,9})\]")
# Parts that are never the readable body but one file each (not descended into).
_OPAQUE_TYPES = ("message/", "text/rfc822-headers")
_FAILURE_SUBJECT = re.compile(
    r"undeliver|returned mail|failure notice|delivery (status notification \(failure\)|failure|failed)",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list"}
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
    # RFC 3834 and friends: an automatic message (auto-reply, bounce, read receipt, abuse report).
    is_auto_reply: bool = False
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
    def ticket_number(self) -> int | None:
        """The number in a `[#1042]` subject tag, if any."""
        match = _SUBJECT_TAG.search(self.subject)
        return int(match.group(1)) if match else None

    @property
    def wants_no_acknowledgement(self) -> bool:
        return self.is_auto_reply or self.is_bulk or self.no_auto_response

    @property
    def all_files(self) -> list[MailFile]:
        return [*self.attachments, *self.unpacked]


def parse(raw: bytes) -> ParsedMail:
    """Everything the desk needs from one message. Never raises on malformed mail: what cannot be
    read is left empty and noted in `defects`."""
    message = message_from_bytes(repair_header_block(raw), policy=RAW_HEADERS)
    mail = _read_headers(message)
    _read_parts(message, mail)
    _classify(message, mail)
    mail.defects = [type(d).__name__ for d in message.defects]
    return mail


def peek(raw: bytes) -> ParsedMail:
    """Only what the header block says (Message-ID, sender, subject, thread): cheap, for storing."""
    return _read_headers(BytesParser(policy=RAW_HEADERS).parsebytes(repair_header_block(raw), headersonly=True))


def _read_headers(message: Message) -> ParsedMail:
    mail = ParsedMail()
    mail.message_id = message_id_of(message)
    mail.from_addr, mail.from_name = first_address(message.get_all("From") or [])
    mail.sender_count = len(addresses(message.get_all("From") or []))
    mail.to = addresses(message.get_all("To") or [])
    mail.cc = addresses(message.get_all("Cc") or [])
    mail.subject = header_text(message.get("Subject"))
    mail.in_reply_to = mail_ids.ids_in(header_text(message.get("In-Reply-To")))
    mail.references = mail_ids.ids_in(" ".join(header_text(v) for v in message.get_all("References") or []))
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


def _is_body_candidate(part: Message) -> bool:
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and not part.get_filename()
        and part.get_content_disposition() != "attachment"
    )


def _read_parts(message: Message, mail: ParsedMail) -> None:
    leaves = list(_leaves(message))
    first = next(((leaf, alt) for leaf, alt in leaves if _is_body_candidate(leaf)), None)
    body: list[Message] = []
    if first is not None:
        leaf, alternative = first
        siblings = [p for p, a in leaves if a is alternative] if alternative is not None else [leaf]
        body = [p for p in siblings if p.get_content_maintype() == "text" and not p.get_filename()]
    plain = next((p for p in body if p.get_content_type() == "text/plain"), None)
    html = next((p for p in body if p.get_content_type() == "text/html"), None)
    if html is not None:
        mail.html = _text_of(html)
    if plain is not None:
        mail.text = _text_of(plain)
    elif mail.html:
        mail.text = html_to_text(mail.html)
    for part, _alternative in leaves:
        if part not in body:
            mail.attachments.append(_file_of(part))
    for tnef in [f for f in mail.attachments if f.content_type == "application/ms-tnef"]:
        _unpack_tnef(tnef, mail)


def html_to_text(html: str) -> str:
    """HTML mail as the plain text a person would read, laid out (lists, tables) by inscriptis."""
    try:
        text = get_text(html)
    except Exception:  # lxml refuses some documents outright (an encoding declaration on a str, say)
        text = get_text(re.sub(r"<\?xml[^>]*>", "", html))
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    return data


def _text_of(part: Message) -> str:
    text = decode(_payload_bytes(part), part.get_content_charset())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_param("format", "").lower() == "flowed":
        text = _unflow(text, delsp=part.get_param("delsp", "").lower() == "yes")
    return text.strip("\n")


def _unflow(text: str, *, delsp: bool) -> str:
    """Join format=flowed soft line breaks (RFC 3676): a line ending in a space continues."""
    out: list[str] = []
    joining = False
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if joining:
            out[-1] += line
        else:
            out.append(line)
        joining = line.endswith(" ") and line.rstrip() != "--"
        if joining and delsp:
            out[-1] = out[-1][:-1]
    return "\n".join(out)


def _file_of(part: Message) -> MailFile:
    content_type = part.get_content_type()
    data = _opaque_bytes(part) if content_type.startswith(_OPAQUE_TYPES) else _payload_bytes(part)
    name = _filename(part)
    if not name:
        name = _DEFAULT_NAMES.get(content_type) or _name_for_type(content_type)
    return MailFile(filename=name, content_type=content_type, data=data, content_id=header_text(part.get("Content-ID")))


def _opaque_bytes(part: Message) -> bytes:
    """A message/* part's content as it was sent: what follows the part's own header block."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return b"\n".join(p.as_bytes() for p in payload if isinstance(p, Message))
    return _payload_bytes(part)


def _filename(part: Message) -> str:
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if raw is None:
        return ""
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, value)
        try:
            value = raw[2].encode("latin-1", "surrogateescape")
            return decode(value, raw[0])
        except UnicodeEncodeError:
            return unescape(raw[2])
    return header_text(raw.strip('"'))


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
    for item in parsed.attachments:
        name = item.long_filename() or item.name or "attachment"
        if isinstance(name, bytes):
            name = decode(name, None)
        mail.unpacked.append(
            MailFile(filename=name.strip("\x00"), content_type="application/octet-stream", data=item.data)
        )
    if not mail.text.strip():
        body = parsed.body or b""
        mail.text = (decode(body, None) if isinstance(body, bytes) else body).strip()
        if not mail.text and parsed.htmlbody:
            mail.text = html_to_text(
                decode(parsed.htmlbody, None) if isinstance(parsed.htmlbody, bytes) else parsed.htmlbody
            )


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

    mail.is_auto_reply = bool(
        (auto_submitted and auto_submitted != "no")
        or message.get("X-Autoreply")
        or message.get("X-Autorespond")
        or precedence == "auto_reply"
        or return_path == "<>"
        or report_type
        or (mail.from_addr or "").startswith(_DAEMONS)
    )
    mail.is_bulk = precedence in _BULK_PRECEDENCE or bool(message.get("List-Id") or message.get("List-Unsubscribe"))
    mail.no_auto_response = any(word in suppress for word in ("all", "oof", "autoreply"))
    read_fields = _read_report(message, mail, report_type) if report_type or mail.is_auto_reply else False
    if not read_fields and mail_bounce_text.is_notice(mail.subject, mail.text, automatic=mail.is_auto_reply):
        _read_notice(message, mail, report_type)


def _read_notice(message: Message, mail: ParsedMail, report_type: str) -> None:
    """A bounce in words (Exim, qmail, Exchange...; see `mail_bounce_text`): the failure it reports,
    and the IDs of the returned message, quoted in its text or attached."""
    if not mail.is_auto_reply:  # titled and written like a bounce, from a sender that does not say so
        mail.is_auto_reply = True
        _read_report(message, mail, report_type)
    notice = mail_bounce_text.read(mail.text)
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
