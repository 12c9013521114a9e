"""Turning mail's bytes into text, whatever they claim to be: every byte decoded, none trusted blindly.

Mail declares its charset, or does not, or lies. The declared charset is used when the bytes fit it
(ISO-8859-1 read as Windows-1252 and ISO-2022-JP with the vendor rows of CP932, as browsers and
Outlook do); bytes that fit nothing are decoded line by line, so one bad byte spoils one character,
not the whole text; undeclared 8-bit bytes (raw headers, file names, unlabelled bodies) are detected
by charset-normalizer among the legacy charsets mail really uses. NUL never comes out: PostgreSQL
refuses it in text.
"""

import codecs
import contextlib
import itertools
import re
import unicodedata

from charset_normalizer import from_bytes

# Microsoft's and others' names for charsets Python knows under another name, and the supersets
# that mail labelled with the subset really uses (WHATWG's encoding standard does the same).
_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "unicode-1-1-utf-7": "utf-7",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "x-mac-cyrillic": "mac_cyrillic",
}
ISO2022_JP = "iso2022_jp_ms"
_ISO2022_JP_LABELS = {"iso-2022-jp", "iso2022-jp", "iso-2022-jp-ext", "iso-2022-jp-ms", "csiso2022jp", "cp50220"}
_ISO2022_JP_LABELS |= {"cp50221", "cp50222", "iso-2022-jp-1", "iso-2022-jp-2"}
# What undeclared 8-bit mail is written in, most common first (ties go to the earlier one).
CANDIDATES = [
    "cp1252",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "cp1250",
    "iso8859_2",
    "cp1257",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp932",
    "euc_jp",
    "gb18030",
    "big5",
    "cp949",
]
# Detection reads at most this much: enough to tell, and bounded in cost for any size of mail.
DETECT_BYTES = 32 * 1024
# A line counts as its declared (multi-byte) charset with a few broken bytes when at most one in
# this many of its 8-bit bytes is left undecodable.
_MOSTLY = 8


def clean(text: str) -> str:
    """Text safe to store: NUL (which PostgreSQL refuses) removed."""
    return text.replace("\x00", "") if "\x00" in text else text


def codec_for(charset: str | None) -> str | None:
    """Python's codec for a charset label as mail writes it, or None for an unknown label."""
    if not charset:
        return None
    label = charset.strip().strip('"').strip().lower()
    if label in _ISO2022_JP_LABELS:
        return ISO2022_JP
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return {"latin-1": "cp1252", "ascii": "cp1252", "shift_jis": "cp932", "euc_kr": "cp949"}.get(name, name)


def decode(data: bytes, charset: str | None = None, *, hint: str | None = None) -> str:
    """`data` as text: in its declared charset when the bytes fit it; valid UTF-8 as UTF-8; else
    detected (`hint`, a charset the rest of the message uses, wins a tie); what still does not fit
    is decoded line by line, each undecodable byte one replacement character."""
    if not data:
        return ""
    codec = codec_for(charset)
    if codec == ISO2022_JP and data.isascii():
        return clean(_decode(data, codec, "replace"))
    if codec is not None:
        with contextlib.suppress(UnicodeDecodeError):
            text = _decode(data, codec)
            # Mail labelled with a Western default but written as UTF-8 (a web form's, say).
            if codec == "cp1252" and not data.isascii():
                with contextlib.suppress(UnicodeDecodeError):
                    text = data.decode("utf-8")
            return clean(text)
    with contextlib.suppress(UnicodeDecodeError):
        return clean(data.decode("utf-8"))
    if codec is None or not _mostly(data[:DETECT_BYTES], codec):  # undeclared, or declared wrong
        detected = detect(data, hint=hint)
        if detected is not None:
            with contextlib.suppress(UnicodeDecodeError, LookupError):
                return clean(_decode(data, detected))
        codec = codec or detected
    return clean(_by_line(data, codec or codec_for(hint) or "utf-8"))


def detect(data: bytes, *, hint: str | None = None) -> str | None:
    """The charset of undeclared 8-bit bytes: UTF-8 if they are valid UTF-8, else the least chaotic
    reading among CANDIDATES by charset-normalizer (on at most DETECT_BYTES), ties going to `hint`,
    then to a reading in which it recognises a language, then to the more common charset."""
    sample = data[:DETECT_BYTES]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3 and len(data) > DETECT_BYTES:
            return "utf-8"  # valid UTF-8, the sample cut one character in two
    matches = list(from_bytes(sample, cp_isolation=CANDIDATES))
    if not matches:
        return None
    least = min(match.chaos for match in matches)
    tied = [match for match in matches if match.chaos <= least + 0.01]
    preferred = codec_for(hint)

    ascii_letters = sum(1 for byte in sample if 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A)

    def rank(match) -> tuple[int, int, int, int]:
        names = [match.encoding, *match.could_be_from_charset]
        order = min((CANDIDATES.index(n) for n in names if n in CANDIDATES), default=len(CANDIDATES))
        reading = sample.decode(match.encoding, "replace")
        # A reading that takes plain ASCII letters for halves of two-byte characters ("Øl" as one kanji).
        swallowed = ascii_letters - sum(1 for ch in reading if ch.isascii() and ch.isalpha())
        oddness = _oddness(reading) + max(swallowed, 0)
        return (oddness, preferred not in names, match.language == "Unknown", order)

    best = min(tied, key=rank)
    names = [best.encoding, *best.could_be_from_charset]
    if preferred in names:
        return preferred
    return min(names, key=lambda n: CANDIDATES.index(n) if n in CANDIDATES else len(CANDIDATES))


def _oddness(text: str) -> int:
    """How many words of a reading no person writes: letters of two scripts in one run ("Caf" and a
    Cyrillic letter), a capital after a small letter, a stray combining mark, a symbol against a letter
    ("£ukasz"). charset-normalizer judges long texts well, but a name or a subject is too short for
    it to tell such readings apart."""
    odd = 0
    for word in text.split():
        runs = _LETTERS.findall(word)
        odd += any(_odd_run(run) for run in runs) or _symbol_by_letter(word)
    return odd


_LETTERS = re.compile(r"[^\W\d_]+")


def _symbol_by_letter(word: str) -> bool:
    """A symbol, control character or odd number (¹ ³ ¼) right before or after a letter, or a
    combining mark on anything but a letter of a script that uses them (Hebrew, Arabic, Indic)."""
    for previous, ch in itertools.pairwise(" " + word):
        if unicodedata.category(ch)[0] == "M" and not (previous.isalpha() and _script(previous) == "other"):
            return True
    for a, b in itertools.pairwise(word):
        for letter, other in ((a, b), (b, a)):
            category = unicodedata.category(other)
            if letter.isalpha() and (category[0] in "SC" or category == "No"):
                return True
    return False


def _odd_run(run: str) -> bool:
    if len({_script(ch) for ch in run if ch.isalpha()}) > 1:
        return True
    return any(previous.islower() and ch.isupper() for previous, ch in itertools.pairwise(run))


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x0370:
        return "latin"
    if code < 0x0400:
        return "greek"
    if code < 0x0530:
        return "cyrillic"
    return "other"


def _decode(data: bytes, codec: str, errors: str = "strict") -> str:
    if codec != ISO2022_JP:
        return data.decode(codec, errors)
    try:
        return _iso2022_jp(data)
    except UnicodeDecodeError:
        try:  # the other ISO-2022 sets (Chinese, Korean, Latin) of ISO-2022-JP-2
            return data.decode("iso2022_jp_2")
        except UnicodeDecodeError:
            if errors == "strict":
                raise
            return _iso2022_jp(data, errors)


def _by_line(data: bytes, codec: str) -> str:
    """Each line in `codec`, else UTF-8; the lines that fit neither all in one charset: `codec`
    with a few bad bytes replaced when it mostly fits them, else the detected one."""
    lines = data.splitlines(keepends=True)
    out: list[str | None] = []
    for line in lines:
        out.append(None)
        for candidate in dict.fromkeys((codec, "utf-8")):
            with contextlib.suppress(UnicodeDecodeError, LookupError):
                out[-1] = _decode(line, candidate)
                break
    bad = b"".join(line for line, text in zip(lines, out, strict=True) if text is None)
    fallback = codec if _mostly(bad, codec) else (detect(bad) or "cp1252")
    return "".join(
        text if text is not None else _decode(line, fallback, "replace") for line, text in zip(lines, out, strict=True)
    )


def _mostly(data: bytes, codec: str) -> bool:
    """Whether `data` is `codec` with a few broken bytes, not another charset altogether."""
    eight_bit = sum(1 for byte in data if byte >= 0x80)
    try:
        broken = _decode(data, codec, "replace").count("\ufffd")
    except LookupError:
        return False
    return broken * _MOSTLY <= eight_bit


# --- ISO-2022-JP as Japanese mail really writes it --------------------------------------------

_ESC = 0x1B
# Escape sequences and the character set each selects.
_DESIGNATIONS = {
    b"(B": "ascii",
    b"(J": "roman",
    b"(I": "katakana",
    b"$@": "jis0208",
    b"$B": "jis0208",
    b"$(B": "jis0208",
    b"$(@": "jis0208",
    b"$(D": "jis0212",
}


def _iso2022_jp(data: bytes, errors: str = "strict") -> str:
    """ISO-2022-JP as Windows (CP50220) and Japanese clients write it: the two-byte JIS X 0208
    rows read through Shift_JIS as CP932, so the vendor rows (circled digits ①, Roman numerals,
    NEC and IBM kanji such as 髙 and 﨑) come out right; JIS X 0212 through EUC-JP; half-width
    katakana by escape or SO/SI. A byte it cannot place raises UnicodeDecodeError (strict) or
    becomes U+FFFD ("replace")."""
    out: list[str] = []
    charset, shifted, i = "ascii", False, 0

    def fail(start: int, end: int, reason: str) -> None:
        if errors == "strict":
            raise UnicodeDecodeError("iso-2022-jp", data, start, end, reason)
        out.append("\ufffd")

    while i < len(data):
        byte = data[i]
        if byte == _ESC:
            for sequence, selected in _DESIGNATIONS.items():
                if data.startswith(sequence, i + 1):
                    charset, i = selected, i + 1 + len(sequence)
                    break
            else:
                if data.startswith(b"&@", i + 1):  # JIS X 0208-1990's announcer: ESC $ B follows
                    i += 3
                    continue
                fail(i, i + 1, "unknown escape sequence")
                i += 1
            continue
        if byte in (0x0E, 0x0F):  # SO / SI: half-width katakana in and out
            shifted, i = byte == 0x0E, i + 1
            continue
        if byte >= 0x80:
            fail(i, i + 1, "8-bit byte in a 7-bit charset")
            i += 1
            continue
        if shifted or charset == "katakana":
            out.append(bytes([byte + 0x80]).decode("cp932") if 0x21 <= byte <= 0x5F else chr(byte))
            i += 1
        elif charset in ("jis0208", "jis0212") and 0x21 <= byte <= 0x7E:
            pair = data[i : i + 2]
            if len(pair) < 2 or not 0x21 <= pair[1] <= 0x7E:
                fail(i, i + len(pair), "truncated two-byte character")
                i += len(pair)
                continue
            try:
                if charset == "jis0208":
                    out.append(_jis_to_sjis(pair[0], pair[1]).decode("cp932"))
                else:
                    out.append(bytes([0x8F, pair[0] | 0x80, pair[1] | 0x80]).decode("euc_jp"))
            except UnicodeDecodeError:
                fail(i, i + 2, "no such character")
            i += 2
        elif charset == "roman" and byte in (0x5C, 0x7E):
            out.append("¥" if byte == 0x5C else "‾")
            i += 1
        else:
            out.append(chr(byte))
            i += 1
    return "".join(out)


def _jis_to_sjis(first: int, second: int) -> bytes:
    lead = ((first + 1) >> 1) + (0x70 if first <= 0x5E else 0xB0)
    trail = (second + (0x1F if second <= 0x5F else 0x20)) if first & 1 else second + 0x7E
    return bytes([lead, trail])
