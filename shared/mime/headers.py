"""Reading the header block and the charsets of mail as it really is: raw 8-bit bytes, encoded
words glued to plain text, addresses without angle brackets, stray lines, unknown charsets."""

import base64
import binascii
import re
from collections.abc import Callable
from email.message import Message
from email.policy import Compat32
from email.policy import default as default_policy

from shared.mime import charsets
from shared.mime.charsets import clean

# A header line: a field name of printable ASCII without a colon or space, then a colon.
_FIELD_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_COMMENT = re.compile(r"\((?:\\.|[^()\\])*\)")
_ANGLE_ADDR = re.compile(r"<([^<>]*)>")
_ADDRESS = re.compile(r"^[^@\s<>()\[\]:;,\"]+@[^@\s<>()\[\]:;,\"]+$")
_QUOTED = re.compile(r'"(?:\\.|[^"\\])*"')
_PLACEHOLDER = re.compile(r'"(\d+)"')
_ANY_ID = re.compile(r"<[^<>\s]+>")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
# Where 8-bit bytes of a message's own naming can be: raw headers and its parts' file names.
_NAMING_HEADERS = ("Subject", "From", "To", "Cc", "Reply-To", "Sender", "Content-Type", "Content-Disposition")


class _RawHeaderPolicy(Compat32):
    """The stdlib's lenient parser, but handing out header values as they are (raw 8-bit bytes as
    surrogates) instead of replacing what it cannot read; `header_text` reads them properly."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW_HEADERS = _RawHeaderPolicy()


def repair_header_block(raw: bytes) -> bytes:
    """Drop a leading byte-order mark and header lines that are no header at all (a stray line that
    would otherwise end the header block early and push From and Subject into the body)."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    end = _header_end(raw)
    if end is None:
        return raw
    lines = raw[:end].splitlines(keepends=True)
    kept = [
        line
        for i, line in enumerate(lines)
        if _FIELD_LINE.match(line) or line[:1] in (b" ", b"\t") or (i == 0 and line.startswith(b"From "))
    ]
    return b"".join(kept) + raw[end:]


def _header_end(raw: bytes) -> int | None:
    found = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return min(found) if found else None


def unescape(value: str, charset: str | None = None) -> str:
    """The stdlib keeps raw 8-bit header bytes as surrogates: read them as UTF-8 when they are,
    else in `charset` (what `raw_charset` found for the whole message), else as detected."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return clean(value)
    data = value.encode("utf-8", "surrogateescape")
    return charsets.decode(data, None, hint=charset)


def raw_charset(message: Message) -> str | None:
    """The charset of the raw 8-bit bytes (no RFC 2047) in the message's naming headers and its
    parts' file names, detected over all of them at once (a few words alone are too few to tell);
    the body's declared charset wins a tie. None when there are none, or they are UTF-8."""
    found: list[bytes] = []
    declared = None
    for part in message.walk() if message.is_multipart() else [message]:
        declared = declared or part.get_param("charset")
        for name in _NAMING_HEADERS if part is message else _NAMING_HEADERS[-2:]:
            for value in part.get_all(name) or []:
                value = str(value)
                if any("\udc80" <= ch <= "\udcff" for ch in value):
                    found.append(value.encode("utf-8", "surrogateescape"))
    sample = b"\n".join(found)
    if not sample:
        return None
    declared = declared if isinstance(declared, str) else None
    return charsets.detect(sample, hint=declared)


def header_text(value: object, charset: str | None = None) -> str:
    """A header as readable text: RFC 2047 words decoded in their charsets (even where they are
    glued to plain text), raw 8-bit bytes read (in `charset` if given), folding undone, runs of
    space collapsed."""
    if value is None:
        return ""
    value = _FOLD.sub("", unescape(str(value), charset))
    if "=?" in value:
        value = _decode_words(value, charset)
    return " ".join(value.split())


def _as_utf8_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode("ascii") + "?="


def _decode_words(value: str, charset: str | None, render: Callable[[str], str] = str) -> str:
    """RFC 2047: each encoded word in its charset; adjacent words joined (the white space between
    them dropped) and their bytes decoded together, since a character may span two words. `render`
    writes each run's text (as it is, or as one UTF-8 encoded word)."""
    out: list[str] = []
    pending: list = []  # [charset, bytes] of the words not yet decoded

    def flush() -> None:
        if pending:
            out.append(render(charsets.decode(pending[1], pending[0], hint=charset)))
            pending.clear()

    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        word_charset = match.group(1).split("*")[0].lower()
        try:
            data = _word_bytes(match.group(2), match.group(3))
        except (binascii.Error, ValueError):
            continue  # a hopeless word stays as it is, in `between` of the next one
        if not (pending and not between.strip()):
            flush()
            out.append(between)
        if pending and pending[0] == word_charset:
            pending[1] += data
        else:
            flush()
            pending.extend([word_charset, data])
        position = match.end()
    flush()
    out.append(value[position:])
    return "".join(out)


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "Qq":
        return binascii.a2b_qp(payload.encode("ascii", "replace"), header=True)
    payload = payload.rstrip("=")
    return binascii.a2b_base64(payload + "=" * (-len(payload) % 4))


def message_id_of(message: Message) -> str | None:
    value = header_text(message.get("Message-ID"))
    found = ids_in(value)
    if found:
        return found[0]
    return normalize(value) if value and " " not in value else None


def mailboxes(value: str, charset: str | None = None) -> list[tuple[str, str]]:
    """(display name, lower-case address) for each mailbox of an address header.

    The standard library's header registry decides: `"<ann@a.test>" <evil@b.test>` is evil@b.test,
    whatever the display name says. Only a header it finds broken (defects) is read the way mail
    clients read the forms real mail has (bare addresses separated by spaces or semicolons,
    `Big Bug bb@bug.com`, `ann@host <ann@host.example>`), and never from inside a quoted string."""
    value = _FOLD.sub("", unescape(str(value), charset))
    if "=?" in value:  # each run of encoded words decoded here, as one UTF-8 word: still one token
        value = _decode_words(value, charset, _as_utf8_word)
    try:
        header = default_policy.header_factory("to", value)
        parsed, broken = list(header.addresses), bool(header.defects)
    except Exception:  # the registry gives up on some hopeless headers; the fallback still reads them
        parsed, broken = [], True
    found: list[tuple[str, str]] = []
    for address in parsed:
        addr_spec = address.addr_spec.lower()
        if address.username and address.domain and _ADDRESS.match(addr_spec):
            found.append((header_text(address.display_name), addr_spec))
    return (_forgiving(value) or found) if broken else found


def _forgiving(value: str) -> list[tuple[str, str]]:
    """Mailboxes from a header the registry found broken. Quoted strings and comments are blanked
    first, so a display name can never supply the address."""
    names: list[str] = []

    def keep(match: re.Match) -> str:
        names.append(match.group(0)[1:-1])
        return f'"{len(names) - 1}"'

    value = _QUOTED.sub(keep, value)
    while _COMMENT.search(value):
        value = _COMMENT.sub(" ", value)
    found = []
    for segment in re.split(r"[,;]", value):
        if ":" in segment.split("<", 1)[0]:  # a group: "Team: a@b, c@d;"
            segment = segment.split(":", 1)[1]
        angle = _ANGLE_ADDR.search(segment)
        if angle:
            name, candidates = segment[: angle.start()], ["".join(angle.group(1).split())]
        else:
            words = segment.split()
            name, candidates = " ".join(w for w in words if "@" not in w), [w for w in words if "@" in w]
        name = _PLACEHOLDER.sub(lambda m: names[int(m.group(1))], name).strip()
        for address in candidates:
            address = address.strip("'").lower()
            if _ADDRESS.match(address):
                found.append((header_text(name), address))
                name = ""
    return found


def addresses(values: list[str], charset: str | None = None) -> list[str]:
    """Lower-case addresses, in order, without empty, malformed or repeated ones."""
    found: list[str] = []
    for value in values:
        found += [address for _name, address in mailboxes(str(value), charset) if address not in found]
    return found


def first_address(values: list[str], charset: str | None = None) -> tuple[str | None, str]:
    """The first mailbox of From as (address, display name)."""
    for value in values:
        for name, address in mailboxes(str(value), charset):
            return address, name
    return None, ""


def decode(data: bytes, charset: str | None, *, hint: str | None = None) -> str:
    """Bytes as text (see `mime.charsets.decode`)."""
    return charsets.decode(data, charset, hint=hint)


def normalize(message_id: str) -> str:
    """The ID as stored: surrounding space removed, in angle brackets."""
    message_id = (message_id or "").strip()
    if message_id and not message_id.startswith("<"):
        message_id = f"<{message_id}>"
    return message_id


def ids_in(header: str | None) -> list[str]:
    """The Message-IDs in an In-Reply-To or References header, in order."""
    return _ANY_ID.findall(header or "")
