"""What a person reads of a mail: all of its text, in order, whatever shape the MIME tree has.

Mail clients split one message's text over several parts: Apple Mail puts a text part after each
attachment, Outlook sends an empty plain part beside the HTML one, broken mailers write the text
before the first boundary or use a boundary they never declared. The body is every inline text
part outside `multipart/alternative`, in order; within an alternative, the plain version (or the
HTML one as text when the plain one is empty); plus the text a broken message has outside its
parts. Every other part is a file.
"""

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from inscriptis import get_text

from shared.mime.charsets import decode
from shared.mime.headers import RAW_HEADERS

# A preamble that only tells old mail readers the message is MIME ("This is a multi-part message
# in MIME format."): every client's, in every language, names MIME.
_MIME_NOTICE = re.compile(r"\bMIME\b")
_NOTICE_MAX = 400
# A line that opens a MIME part: a boundary, then a header line.
_BOUNDARY_LINE = re.compile(rb"^--([^\s]{1,200}?)[ \t]*\r?\n(?=[A-Za-z-]+:)", re.MULTILINE)
# How deep a broken multipart is re-read with the boundary it really uses.
_RECOVER_DEPTH = 3


@dataclass
class Body:
    text: str = ""
    # The HTML version as sent, when there is one (unsanitised: never show it without `markup.sanitize_html`).
    html: str = ""
    # Every part that is not the readable body, in order, one file each.
    files: list[Message] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


@dataclass
class _Piece:
    """One stretch of the body: its plain text and, when it came as HTML, the HTML."""

    text: str
    html: str = ""


def read(message: Message, charset: str | None = None) -> Body:
    """The body of `message` and its files. `charset`: what its raw headers are written in, the
    best guess for text that declares none."""
    body = Body()
    pieces = list(_pieces(message, body, charset, depth=0))
    pieces = _merge_twins(_without_boundaries(pieces, message))
    body.text = "\n\n".join(p.text for p in pieces if p.text.strip())
    if any(p.html for p in pieces):
        body.html = "\n".join(p.html or f"<pre>{_escape(p.text)}</pre>" for p in pieces if p.text.strip() or p.html)
    return body


def _pieces(part: Message, body: Body, charset: str | None, *, depth: int) -> Iterator[_Piece]:
    if part.get_content_maintype() != "multipart":
        if _is_inline_text(part):
            yield _piece_of(part, charset)
        else:
            body.files.append(part)
        return
    children = part.get_payload()
    if not isinstance(children, list):  # a multipart whose boundary never appears
        yield from _broken_multipart(part, body, charset, depth=depth)
        return
    if part.get_content_subtype() == "alternative":
        yield from _alternative(children, body, charset, depth=depth)
        return
    yield from _outside(part.preamble, charset, preamble=True)
    for child in children:
        yield from _pieces(child, body, charset, depth=depth)
    yield from _outside(part.epilogue, charset, preamble=False)


def _alternative(children: list[Message], body: Body, charset: str | None, *, depth: int) -> Iterator[_Piece]:
    """One text from several versions of it: the first plain one that says something, the last
    HTML one (the richest, by RFC 2046's order); files inside any version are kept."""
    versions = []
    for child in children:
        if child.get_content_maintype() == "text" and not child.get_filename():
            versions.append([_piece_of(child, charset)] if child.get_content_subtype() in ("plain", "html") else [])
        else:
            versions.append(list(_pieces(child, body, charset, depth=depth)))
    plain = next((v for v in versions if v and not any(p.html for p in v) and _says_something(v)), None)
    html = next((v for v in reversed(versions) if any(p.html for p in v) and _says_something(v)), None)
    chosen = plain or html or next((v for v in versions if v), [])
    text = "\n\n".join(p.text for p in chosen if p.text.strip())
    markup = "\n".join(p.html or f"<pre>{_escape(p.text)}</pre>" for p in html) if html else ""
    if text or markup:
        yield _Piece(text, markup)


def _says_something(pieces: list[_Piece]) -> bool:
    return any(p.text.strip() for p in pieces)


def _is_inline_text(part: Message) -> bool:
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and not part.get_filename()
        and part.get_content_disposition() != "attachment"
    )


def _piece_of(part: Message, charset: str | None) -> _Piece:
    text = text_of(part, charset)
    if part.get_content_subtype() == "html":
        return _Piece(html_to_text(text) if text.strip() else "", text)
    return _Piece(text)


def _outside(text: str | None, charset: str | None, *, preamble: bool) -> Iterator[_Piece]:
    """Text written outside any part (before the first boundary, after the last): kept, unless it
    is the notice for mail readers that do not know MIME."""
    if not text or not text.strip():
        return
    words = decode(text.encode("utf-8", "surrogateescape"), None, hint=charset).replace("\r\n", "\n").strip()
    if not words.strip("-").strip():
        return
    if preamble and len(words) <= _NOTICE_MAX and _MIME_NOTICE.search(words):
        return
    yield _Piece(words)


def _broken_multipart(part: Message, body: Body, charset: str | None, *, depth: int) -> Iterator[_Piece]:
    """A multipart whose declared boundary is missing or never used: re-read with the boundary its
    parts really use, if there is one; else its content is text."""
    data = payload_bytes(part)
    found = _BOUNDARY_LINE.search(data)
    if found is not None and depth < _RECOVER_DEPTH:
        boundary = found.group(1).decode("ascii", "replace")
        head = f'Content-Type: {part.get_content_type()}; boundary="{boundary}"\n\n'.encode()
        repaired = message_from_bytes(head + data, policy=RAW_HEADERS)
        if isinstance(repaired.get_payload(), list):
            body.defects.append("BoundaryRecovered")
            yield from _pieces(repaired, body, charset, depth=depth + 1)
            return
    text = decode(data, None, hint=charset).replace("\r\n", "\n").strip()
    if text:
        yield _Piece(text)


def _merge_twins(pieces: list[_Piece]) -> list[_Piece]:
    """A plain part followed by an HTML part saying the same (a client that forgot
    multipart/alternative) is one piece, not the text twice."""
    merged: list[_Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last is not None and bool(last.html) != bool(piece.html) and _words(last.text) == _words(piece.text):
            merged[-1] = _Piece(last.text if not last.html else piece.text, last.html or piece.html)
        else:
            merged.append(piece)
    return merged


def _without_boundaries(pieces: list[_Piece], message: Message) -> list[_Piece]:
    """Text without the lines a broken delimiter left in it (`--boundary-`, one dash short)."""
    boundaries = tuple(f"--{b}" for part in message.walk() if (b := part.get_boundary()))
    if not boundaries:
        return pieces
    kept = []
    for piece in pieces:
        if any(b in piece.text for b in boundaries):
            lines = [line for line in piece.text.split("\n") if not line.startswith(boundaries)]
            piece = _Piece("\n".join(lines).strip("\n"), piece.html)
        kept.append(piece)
    return kept


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_to_text(html: str) -> str:
    """HTML mail as the plain text a person would read, laid out (lists, tables) by inscriptis."""
    try:
        text = get_text(html)
    except Exception:  # lxml refuses some documents outright (an encoding declaration on a str, say)
        text = get_text(re.sub(r"<\?xml[^>]*>", "", html))
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def payload_bytes(part: Message) -> bytes:
    """A part's content, its transfer encoding undone (as it is when that cannot be undone)."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    return data


def text_of(part: Message, charset: str | None = None) -> str:
    """A text part as text: in its declared charset, else the message's (`charset`) or detected."""
    text = decode(payload_bytes(part), part.get_content_charset(), hint=charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if str(part.get_param("format", "")).lower() == "flowed":
        text = _unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
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


# --- What can be read of a message the parser cannot read ----------------------------------

# A salvage reads at most this much of the body.
SALVAGE_BYTES = 1024 * 1024
_PART_BOUNDARY = re.compile(rb"^--[^\s]{1,200}$")


def salvage_text(raw: bytes, charset: str | None = None) -> str:
    """Best-effort text of a message the parser gives up on (nested too deep, say), read line by
    line: the content of its plain-text parts (quoted-printable undone), boundaries and part
    headers left out; the whole body when it has no parts."""
    found = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    if not found:
        return ""
    body = raw[min(found) :].lstrip(b"\r\n")[:SALVAGE_BYTES]
    lines = body.splitlines()
    if not any(_PART_BOUNDARY.match(line) for line in lines):
        return decode(body, None, hint=charset).replace("\r\n", "\n").strip()
    pieces: list[str] = []
    headers: list[bytes] | None = None  # the current part's header lines, while reading them
    kept: list[bytes] | None = None  # the current part's content, when it is text
    part_headers = b""
    for line in [*lines, b"--end"]:
        if _PART_BOUNDARY.match(line.rstrip()):
            if kept:
                pieces.append(_salvaged(kept, part_headers))
            headers, kept = [], None
        elif headers is not None and not line.strip():
            part_headers, headers = b"\n".join(headers).lower(), None
            readable = b"content-type:" not in part_headers or b"content-type: text/plain" in part_headers
            if readable and b"base64" not in part_headers and b"attachment" not in part_headers:
                kept = []
        elif headers is not None:
            headers.append(line)
        elif kept is not None:
            kept.append(line)
    return "\n\n".join(p for p in pieces if p)


def _salvaged(lines: list[bytes], headers: bytes) -> str:
    data = b"\n".join(lines)
    if b"quoted-printable" in headers:
        data = binascii.a2b_qp(data)
    charset = re.search(rb'charset="?([\w.:-]+)', headers)
    return decode(data, charset.group(1).decode("ascii") if charset else None).strip()


# A boundary declared (in a Content-Type) or closed (`--b--`): what `nesting` counts.
_BOUNDARY_EVENT = re.compile(
    rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s";]{1,200}))|^--([^\s]{1,200}?)--[ \t]*\r?$',
    re.IGNORECASE | re.MULTILINE,
)


def nesting(raw: bytes) -> int:
    """How deep the message's multiparts nest, by its boundaries: each declared one opens a level
    until its closing delimiter. One pass of a regular expression."""
    open_boundaries: list[bytes] = []
    deepest = 0
    for match in _BOUNDARY_EVENT.finditer(raw):
        declared, closed = match.group(1) or match.group(2), match.group(3)
        if declared is not None and declared not in open_boundaries:
            open_boundaries.append(declared)
            deepest = max(deepest, len(open_boundaries))
        elif closed is not None and closed in open_boundaries:
            del open_boundaries[open_boundaries.index(closed) :]
    return deepest
