"""When a received mail is the same message again, and when it only looks like it.

A message counts as delivered before only when it has the same Message-ID, the same sender and the
same content. Contact forms and some clients give different messages one Message-ID: each of those
is a message of its own. The content is what the author wrote (the address and content headers,
then the body, line endings and trailing blank lines set aside), never what relays add on the way
(Received, Delivered-To, Return-Path, X-Original-To, spam scores, ARC and DKIM seals...), so a
redelivery through another hop, or the same message fetched over IMAP and piped in by the MTA, is
still one message, with a Message-ID or without.

The key is stored in a unique column, so two processes storing one message at once store it once.
Rows stored before this rule have the Message-ID itself (or "sha256:" and the digest of the bytes)
as their key: `legacy_key` finds those, and the caller compares their content.
"""

import hashlib
import re

# The header fields a message's author (or their client) wrote, with every Content-* field;
# everything else is the journey.
_AUTHORED = frozenset(
    {
        b"from",
        b"sender",
        b"reply-to",
        b"to",
        b"cc",
        b"subject",
        b"date",
        b"message-id",
        b"in-reply-to",
        b"references",
        b"mime-version",
    }
)
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:(.*)$", re.DOTALL)
_CHUNK = 1 << 20
_PREFIX = "mail:"


def content_digest(raw: bytes) -> str:
    """The sha256 of what the author wrote: their header fields (unfolded, spaces collapsed, in a
    fixed order) and the body with CRLF read as LF and trailing white space left out. Reads `raw`
    in place, a megabyte at a time, so a large message costs no copy of itself."""
    view = memoryview(raw)
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    end, body = _header_end(raw, start)
    digest = hashlib.sha256()
    for field in sorted(_authored_fields(bytes(view[start:end]))):
        digest.update(field + b"\n")
    digest.update(b"\n")
    stop = len(raw)
    while stop > body and raw[stop - 1 : stop] in (b" ", b"\t", b"\r", b"\n"):
        stop -= 1
    carry = b""
    for offset in range(body, stop, _CHUNK):
        chunk = carry + bytes(view[offset : min(offset + _CHUNK, stop)])
        carry = b""
        if chunk.endswith(b"\r") and offset + _CHUNK < stop:
            chunk, carry = chunk[:-1], b"\r"
        digest.update(chunk.replace(b"\r\n", b"\n"))
    digest.update(carry)
    return digest.hexdigest()


def _header_end(raw: bytes, start: int) -> tuple[int, int]:
    """(where the header block ends, where the body starts)."""
    found = [(i, i + len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (i := raw.find(sep, start)) >= 0]
    return min(found) if found else (len(raw), len(raw))


def _authored_fields(block: bytes) -> list[bytes]:
    fields: list[list[bytes]] = []
    current: list[bytes] | None = None
    for line in block.splitlines():
        if line[:1] in (b" ", b"\t") and current is not None:
            current.append(line)
            continue
        current = None
        match = _FIELD.match(line)
        name = match.group(1).lower() if match else b""
        if name in _AUTHORED or name.startswith(b"content-"):
            current = [name + b":", match.group(2)]
            fields.append(current)
    return [b" ".join(b" ".join(parts).split()) for parts in fields]


def key(message_id: str | None, sender: str | None, digest: str) -> str:
    """The unique key of one message: its Message-ID, sender and content digest together."""
    identity = f"{message_id or ''}\n{(sender or '').lower()}\n{digest}"
    return _PREFIX + hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()


def legacy_key(message_id: str | None, raw_sha256: str) -> str:
    """The key a row stored before this rule has for this message."""
    return message_id or f"sha256:{raw_sha256}"
