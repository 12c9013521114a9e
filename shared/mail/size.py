"""Large mail without large memory: files are taken out of a message before it is parsed.

The standard library's parser holds a message several times over (as text, as lines, decoded), so a
35 MB message cost over 400 MB. `slim` walks the raw bytes' MIME structure in place (headers
parsed, bodies only measured) and hands the parser a copy without the bulk of it:

- a part whose decoded size is over the attachment limit is left out: its payload is never read
  into memory, let alone decoded. What was left out, by name and size, is told to the sender
  (`notifications.mail_files_refused`); the stored original keeps it for agents to download.
- a large base64 file under the limit is decoded straight from the raw bytes and stands in the
  copy as a short random placeholder, which `restore` swaps back after parsing: the parser still
  names it and keeps it in its place, without holding it as text.
- a body text part (text/plain or text/html, no file name) over 4 MB is cut at a line: the ticket
  keeps only its beginning (100,000 characters) anyway, and the original keeps the rest.
"""

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser

from shared.mail.parse import ParsedMail, file_name
from shared.mime.headers import RAW_HEADERS, header_text

# Smaller messages are parsed as they are: nothing in them is worth the walk.
_SLIM_FROM = 1024 * 1024
# A base64 file this large (encoded) is decoded apart from the parser.
_LIFT_FROM = 64 * 1024
# Deeper nesting than this is not slimmed (no client nests so far; a hostile message might).
_MAX_DEPTH = 20
# A part's header block longer than this is no header block: the part is kept as it is.
_MAX_HEAD = 256 * 1024
_TEXT_BODY = ("text/plain", "text/html")
# A body text part is cut to this (encoded): far more than a ticket keeps of it.
_TEXT_KEEP = 4 * 1024 * 1024
# Parts the parser reads for more than their bytes (winmail.dat is unpacked, message/* read as mail).
_MESSAGES = ("message/rfc822", "message/global", "text/rfc822-headers")
_UNENCODED = ("", "7bit", "8bit", "binary")
_NOT_LIFTED = ("application/ms-tnef", "message/", "text/rfc822-headers", "multipart/")


@dataclass(frozen=True)
class RefusedFile:
    filename: str
    size: int  # the decoded size in bytes, as measured from the encoded one


@dataclass
class Slimmed:
    raw: bytes
    refused: list[RefusedFile] = field(default_factory=list)
    # Placeholder bytes (as the parser decodes them) -> the file's real bytes.
    lifted: dict[bytes, bytes] = field(default_factory=dict)
    # Marks the header blocks kept of refused messages (message/rfc822): not files, but what a
    # bounce's returned message says it was (its Message-ID).
    stub: bytes = b""


def slim(raw: bytes, limit: int) -> Slimmed:
    """`raw` without the parts whose decoded size is over `limit` bytes, and with large files lifted
    out; `raw` itself (no copy) when it is small or nothing changed."""
    if len(raw) < _SLIM_FROM:
        return Slimmed(raw)
    walk = _Walk(raw, limit)
    walk.part(0, len(raw), 0)
    if walk.keep == [(0, len(raw))]:
        return Slimmed(raw)
    view = memoryview(raw)
    pieces = [view[item[0] : item[1]] if isinstance(item, tuple) else item for item in walk.keep]
    return Slimmed(b"".join(pieces), walk.refused, walk.lifted, walk.stub)


def restore(mail: ParsedMail, slimmed: Slimmed) -> ParsedMail:
    """Put the lifted files' bytes back in place of their placeholders, and name what was refused."""
    for item in mail.attachments:
        item.data = slimmed.lifted.get(item.data, item.data)
    if slimmed.stub:
        mail.attachments = [item for item in mail.attachments if slimmed.stub not in item.data]
    mail.refused = [(item.filename, item.size) for item in slimmed.refused]
    return mail


class _Walk:
    def __init__(self, raw: bytes, limit: int) -> None:
        self.raw, self.limit = raw, limit
        # What the copy is made of, in order: ranges of `raw`, or bytes of its own.
        self.keep: list[tuple[int, int] | bytes] = []
        self.refused: list[RefusedFile] = []
        self.lifted: dict[bytes, bytes] = {}
        self.stub = b""

    def part(self, start: int, end: int, depth: int) -> bool:
        """Add the part raw[start:end] to the copy, slimmed; False when it was left out."""
        raw = self.raw
        head_end, body = _split(raw, start, end)
        if head_end - start > _MAX_HEAD:  # no header block to speak of: left as it is
            self.keep.append((start, end))
            return True
        headers = BytesParser(policy=RAW_HEADERS).parsebytes(raw[start:head_end] + b"\n\n", headersonly=True)
        content_type = headers.get_content_type()
        boundary = headers.get_param("boundary") if content_type.startswith("multipart/") else None
        if isinstance(boundary, str) and boundary and depth < _MAX_DEPTH:
            self.multipart(start, body, end, boundary, depth)
            return True
        encoding = header_text(headers.get("Content-Transfer-Encoding")).strip().lower()
        size = _decoded_size(raw, body, end, encoding)
        is_text_body = content_type in _TEXT_BODY and not _is_file(headers)
        if is_text_body and end - body > _TEXT_KEEP:
            cut = raw.rfind(b"\n", body, body + _TEXT_KEEP)
            self.keep.append((start, cut + 1 if cut > body else body + _TEXT_KEEP))
        elif is_text_body or (size <= self.limit and (encoding != "base64" or end - body < _LIFT_FROM)):
            self.keep.append((start, end))
        elif size <= self.limit:
            self.lift(start, body, end, content_type)
        else:
            self.refused.append(RefusedFile(file_name(headers), size))
            if depth > 0 and content_type.startswith(_MESSAGES) and encoding in _UNENCODED:
                return self.stub_of(start, body, end)
            if depth > 0:
                return False
            # The whole message is the file: its headers stay, as those of an empty text.
            self.keep.append(_plain_head(raw[start:head_end]))
        return True

    def stub_of(self, start: int, body: int, end: int) -> bool:
        """Keep a refused message's own header block (a bounce's returned message is found by its
        Message-ID), marked so that `restore` does not take it for a file."""
        inner_end, _inner_body = _split(self.raw, body, end)
        if inner_end - body > _MAX_HEAD:
            return False
        self.stub = self.stub or b"X-Deskbell-Left-Out: " + secrets.token_hex(16).encode()
        self.keep += [(start, inner_end), b"\r\n" + self.stub + b"\r\n\r\n"]
        return True

    def lift(self, start: int, body: int, end: int, content_type: str) -> None:
        """Keep a base64 file under the limit, decoded apart when it is one the parser only decodes."""
        try:
            data = None if content_type.startswith(_NOT_LIFTED) else binascii.a2b_base64(memoryview(self.raw)[body:end])
        except binascii.Error:  # broken base64: the parser's lenient decoding deals with it
            data = None
        if data is None:
            self.keep.append((start, end))
            return
        marker = secrets.token_bytes(24)
        self.lifted[marker] = data
        self.keep += [(start, body), base64.b64encode(marker) + b"\r\n"]

    def multipart(self, start: int, body: int, end: int, boundary: str, depth: int) -> None:
        raw = self.raw
        lines = _delimiter_lines(raw, body, end, b"--" + boundary.encode("ascii", "surrogateescape"))
        if not lines:  # no part at all: the parser makes what it can of it
            self.keep.append((start, end))
            return
        cursor = start  # kept up to here; the headers and preamble go with the first delimiter
        for (line_start, content_start, closing), following in zip(lines, [*lines[1:], None], strict=True):
            if closing or following is None:
                break
            content_end = _before_line_break(raw, following[0])
            self.keep.append((cursor, content_start))
            if not self.part(content_start, content_end, depth + 1):
                # Left out: its delimiter line goes with it.
                self.keep[-1] = (cursor, _before_line_break(raw, line_start))
            cursor = content_end
        self.keep.append((cursor, end))


def _delimiter_lines(raw: bytes, body: int, end: int, delimiter: bytes) -> list[tuple[int, int, bool]]:
    """(where the line starts, where the part after it starts, whether it closes) for each
    delimiter line of the body (RFC 2046 5.1.1: the delimiter begins a line)."""
    found = []
    position = body
    while position < end:
        at = raw.find(delimiter, position, end)
        if at < 0:
            break
        position = at + len(delimiter)
        if at != body and raw[at - 1 : at] != b"\n":
            continue
        closing = raw[position : position + 2] == b"--"
        line_end = raw.find(b"\n", position, min(end, position + 1000))
        tail = raw[position + (2 if closing else 0) : line_end if line_end >= 0 else min(end, position + 1000)]
        if tail.strip():  # a longer boundary that merely starts like this one
            continue
        found.append((at, line_end + 1 if line_end >= 0 else end, closing))
        if closing:
            break
    return found


def _before_line_break(raw: bytes, line_start: int) -> int:
    """Where the line break before `line_start` begins (it belongs to the delimiter, RFC 2046)."""
    if raw[line_start - 2 : line_start] == b"\r\n":
        return line_start - 2
    return line_start - 1 if raw[line_start - 1 : line_start] == b"\n" else line_start


def _split(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """(where the part's header block ends, where its body starts)."""
    if raw[start : start + 1] in (b"\n", b"\r"):  # no headers at all
        return start, start + (2 if raw[start : start + 2] == b"\r\n" else 1)
    found = [(i, i + len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (i := raw.find(sep, start, end)) >= 0]
    return min(found) if found else (end, end)


def _decoded_size(raw: bytes, body: int, end: int, encoding: str) -> int:
    """The part's size once decoded, worked out from the encoded bytes without decoding them.
    Quoted-printable is counted at its smallest (a third), so nothing under the limit is refused."""
    length = end - body
    if encoding == "base64":
        spaces = raw.count(b"\n", body, end) + raw.count(b"\r", body, end) + raw.count(b" ", body, end)
        padding = raw.count(b"=", max(body, end - 8), end)
        return (length - spaces) * 3 // 4 - min(padding, 2)
    if encoding == "quoted-printable":
        return length // 3
    return length


def _is_file(headers: Message) -> bool:
    return bool(headers.get_filename()) or headers.get_content_disposition() == "attachment"


def _plain_head(block: bytes) -> bytes:
    """A header block without its Content-* fields, as that of an empty text/plain message."""
    kept: list[bytes] = []
    dropping = False
    for line in block.splitlines(keepends=True):
        if line[:1] not in (b" ", b"\t"):
            dropping = line.lower().startswith(b"content-")
        if not dropping:
            kept.append(line)
    if kept and not kept[-1].endswith(b"\n"):
        kept[-1] += b"\r\n"
    return b"".join(kept) + b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
