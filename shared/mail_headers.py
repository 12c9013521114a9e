"""Reading the header block and the charsets of mail as it really is: raw 8-bit bytes, encoded
words glued to plain text, addresses without angle brackets, stray lines, unknown charsets."""

import codecs
import contextlib
import re
from email.message import Message
from email.policy import Compat32
from email.policy import default as default_policy

from shared import mail_ids

# A header line: a field name of printable ASCII without a colon or space, then a colon.
_FIELD_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_COMMENT = re.compile(r"\((?:\\.|[^()\\])*\)")
_ANGLE_ADDR = re.compile(r"<([^<>]*)>")
_ADDRESS = re.compile(r"^[^@\s<>()\[\]:;,\"]+@[^@\s<>()\[\]:;,\"]+$")
_QUOTED = re.compile(r'"(?:\\.|[^"\\])*"')
_PLACEHOLDER = re.compile(r'"(\d+)"')
# Microsoft and other names for charsets Python knows under another name.
_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "x-sjis": "shift_jis",
    "iso-2022-jp": "iso2022_jp_ext",
    "unicode-1-1-utf-7": "utf-7",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}


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


def unescape(value: str) -> str:
    """The stdlib keeps raw 8-bit header bytes as surrogates; read them as UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def header_text(value: object) -> str:
    """A header as readable text: RFC 2047 words decoded (even where they are glued to plain
    text), raw 8-bit bytes read, folding undone, runs of space collapsed."""
    if value is None:
        return ""
    value = _FOLD.sub("", unescape(str(value)))
    if "=?" in value:
        # The stdlib raises several kinds of error on hopeless encoded words; those stay as they are.
        with contextlib.suppress(Exception):
            value = str(default_policy.header_factory("x-text", value))
    return " ".join(value.split())


def message_id_of(message: Message) -> str | None:
    value = header_text(message.get("Message-ID"))
    found = mail_ids.ids_in(value)
    if found:
        return found[0]
    return mail_ids.normalize(value) if value and " " not in value else None


def mailboxes(value: str) -> list[tuple[str, str]]:
    """(display name, lower-case address) for each mailbox of an address header.

    The standard library's header registry decides: `"<ann@a.test>" <evil@b.test>` is evil@b.test,
    whatever the display name says. Only a header it finds broken (defects) is read the way mail
    clients read the forms real mail has (bare addresses separated by spaces or semicolons,
    `Big Bug bb@bug.com`, `ann@host <ann@host.example>`), and never from inside a quoted string."""
    value = _FOLD.sub("", unescape(str(value)))
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


def addresses(values: list[str]) -> list[str]:
    """Lower-case addresses, in order, without empty, malformed or repeated ones."""
    found: list[str] = []
    for value in values:
        found += [address for _name, address in mailboxes(str(value)) if address not in found]
    return found


def first_address(values: list[str]) -> tuple[str | None, str]:
    """The first mailbox of From as (address, display name)."""
    for value in values:
        for name, address in mailboxes(str(value)):
            return address, name
    return None, ""


def decode(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset if it is real and fits; else UTF-8; else Windows-1252."""
    for candidate in (_codec(charset), "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode("cp1252", "replace")


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    charset = charset.strip().strip('"').lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None
