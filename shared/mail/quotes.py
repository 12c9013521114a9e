"""Where a plain-text mail body's quoted history starts, and where a forwarded message starts, as the
mail clients of the desk's languages (English, Russian, Ukrainian, Norwegian) write them.

mail-parser-reply (used by `mail.text`) knows the reply headers of many languages, but it reads any
two "From:"/"To:" lines as a quote, has no Ukrainian or Norwegian, misses a header wrapped over two
lines, and cannot tell a forwarded message (which is what the customer sends the desk) from the
quoted history of a reply (which is cut). These line rules do that for the languages the desk
serves; `mail.text` applies them before the library. A rule matches whole lines only, so a line that
merely mentions "From:" in the customer's words is never a quote.
"""

import re

# The field labels of the header block that Outlook puts above a quote or a forward (and Gmail,
# Apple Mail and Thunderbird above a forward), by field, in every language served.
_LABELS = {
    "from": ["From", "От", "От кого", "Отправитель", "Від", "Від кого", "Відправник", "Fra"],
    "date": ["Sent", "Date", "Отправлено", "Дата", "Надіслано", "Відправлено", "Sendt", "Dato"],
    "to": ["To", "Кому", "Til"],
    "cc": ["Cc", "Копия", "Копія", "Kopi"],
    "subject": ["Subject", "Тема", "Emne"],
}
_LABEL_KIND = {label.lower(): kind for kind, labels in _LABELS.items() for label in labels}
_HEADER_LINE = re.compile(
    r"^\**\s*(" + "|".join(sorted(map(re.escape, _LABEL_KIND), key=len, reverse=True)) + r")\s*\**\s*:\**(?:\s|$)",
    re.IGNORECASE,
)
# How far a header block may run (long address lists wrap over a line or two).
_BLOCK_LINES = 12
_BLOCK_LOOSE_LINES = 2

# "On <date>, <name> wrote:" and its kin: one line, or two when the client wrapped it. Each names a
# date or a time (a digit), which a sentence of the customer's ending in a colon seldom does.
_WROTE = re.compile(
    r"^(?:"
    # English: Gmail, Apple Mail, Thunderbird, Outlook ("On Mon, 1 Dec 2025 at 10:00, Deskbell <…> wrote:")
    r"On\s.{4,300}\swrote\s*:"
    # Russian: Apple Mail "написал" with the feminine ending in brackets, Thunderbird "пишет:",
    # mail.ru "написал:", Outlook "пользователь … написал:"
    r"|.{4,300}\s(?:пишет|написала?|написал\(а\)|писала?|писал\(а\))\s*:"
    # Ukrainian: Gmail "пише:", Apple Mail "написав(-ла):"
    r"|.{4,300}\s(?:пише|написала?|написав|написав\(-?ла\))\s*:"
    # Norwegian: Gmail and Apple Mail "… kl. 10:00 skrev Deskbell <…>:", Thunderbird "Den …, skrev Deskbell:",
    # Outlook "Deskbell <…> skrev følgende den …:"
    r"|.{0,300}\bskrev\s.{1,300}:"
    # Gmail (ru), Yandex, mail.ru: the date, then the quoted sender's address and a colon
    r"|.{4,300}<\s*[^<>\s]+@[^<>\s]+\s*>\s*:"
    r")$",
    re.IGNORECASE,
)
# Thunderbird (uk) names no verb: "01.12.2025 10:00, Deskbell:". Only with a ">" quote below it.
_DATED_NAME = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?,\s.{1,200}:$")
_DIGIT = re.compile(r"\d")
# The line some clients put above the quoted history.
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Исходное сообщение|Исходное письмо|Оригинальное сообщение"
    r"|Оригінальне повідомлення|Початкове повідомлення|Вихідне повідомлення|Opprinnelig melding"
    r"|Originalmelding)\s*-{2,}$",
    re.IGNORECASE,
)
# Outlook's rule above its header block.
_UNDERSCORES = re.compile(r"^_{20,}$")

# A forwarded message's first line: Gmail's and Thunderbird's dashed line, Apple Mail's "Begin
# forwarded message:", mail.ru's and Yandex's dashed lines (in their Russian forms).
_FORWARD_LABELS = (
    "Forwarded message|Forwarded e-?mail|Пересылаемое сообщение|Перенаправленное сообщение|Пересланное сообщение"
    "|Пересланное письмо|Начало переадресованного сообщения|Переслане повідомлення|Перенаправлене повідомлення"
    "|Пересланий лист|Videresendt melding|Videresendt e-post"
)
_FORWARD_LINE = re.compile(
    r"^(?:-{2,}\s*(?:" + _FORWARD_LABELS + r")\s*-{2,}"
    r"|(?:Begin forwarded message|Начало переадресованного сообщения|Початок листа, що пересилається"
    r"|Початок пересланого повідомлення|Videresendt melding|Videresendt e-post)\s*:)$",
    re.IGNORECASE,
)
# The subject prefixes of a forward and of a reply. Only a forward's decides that Outlook's header
# block (the same for both) starts a forwarded message.
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(Fwd?|VS|Videresend|WG|TR|RV|ENC|VB|VL|Пересл|Переслано|Перес"
    r"|Re|AW|SV|Antw|Отв|Ответ|Відп|Відповідь)\.?\s*(?:\[\d+\]|\(\d+\))?\s*:",
    re.IGNORECASE,
)
_FORWARD_PREFIXES = {"fw", "fwd", "vs", "videresend", "wg", "tr", "rv", "enc", "vb", "vl"}
_FORWARD_PREFIXES |= {"пересл", "переслано", "перес"}


def quote_start(lines: list[str]) -> int | None:
    """The index of the line where the quoted history starts: an attribution line ("On … wrote:",
    wrapped or not), an "Original Message" line, or an Outlook-style header block (with the rule
    above it). Lines already quoted with ">" are left to the caller."""
    for index, line in enumerate(lines):
        line = line.strip()
        if line and not line.startswith(">") and (_is_attribution(lines, index) or _is_outlook_header(lines, index)):
            return index
    return None


def forward_start(lines: list[str], subject: str = "") -> int | None:
    """The index of the line where a forwarded message starts, or None. A marker on a line quoted with
    ">" is in the quoted history, not forwarded. Outlook marks a forward with the same header block
    as a reply, so with a forward's subject ("FW:", "VS:"…) that block is one."""
    for index, line in enumerate(lines):
        if _FORWARD_LINE.match(line.strip()):
            return index
    if is_forward_subject(subject):
        for index in range(len(lines)):
            if _is_outlook_header(lines, index):
                return index
    return None


def is_forward_subject(subject: str) -> bool:
    """Whether the subject's first prefix is a forward's ("Fwd: Re: x" is, "Re: Fwd: x" is not)."""
    match = _SUBJECT_PREFIX.match(subject or "")
    return match is not None and match.group(1).lower() in _FORWARD_PREFIXES


def _is_attribution(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if line.endswith(":"):  # every attribution ends so: most lines need no more than this look
        if _DATED_NAME.match(line):
            below = _next_filled(lines, index + 1)
            return below is not None and lines[below].lstrip().startswith(">")
        return bool(_WROTE.match(line)) and bool(_DIGIT.search(line))
    # Wrapped: the date on this line, the rest ("<address> wrote:") on the next, which is no
    # attribution of its own.
    if index + 1 >= len(lines) or not _DIGIT.search(line):
        return False
    following = lines[index + 1].strip()
    if not following.endswith(":") or (_WROTE.match(following) and _DIGIT.search(following)):
        return False
    return bool(_WROTE.match(f"{line} {following}"))


def _is_outlook_header(lines: list[str], index: int) -> bool:
    """An "Original Message" line, a header block, or Outlook's rule right above one."""
    line = lines[index].strip()
    if _ORIGINAL_MESSAGE.match(line):
        return True
    if _UNDERSCORES.match(line):
        return _header_block_at(lines, _next_filled(lines, index + 1))
    return _header_block_at(lines, index)


def _label(line: str) -> str | None:
    match = _HEADER_LINE.match(line.strip())
    return _LABEL_KIND[match.group(1).lower()] if match else None


def _header_block_at(lines: list[str], index: int | None) -> bool:
    """Whether an Outlook-style header block starts at `index`: a From line, then a date (Sent/Date)
    and a To or Subject line, each on a line of its own, close together."""
    if index is None or _label(lines[index]) != "from":
        return False
    kinds = {"from"}
    loose = blanks = 0
    for line in lines[index + 1 : index + _BLOCK_LINES]:
        if not line.strip():
            blanks += 1
            if blanks > 1:
                break
            continue
        kind = _label(line)
        if kind is not None:
            kinds.add(kind)
        elif blanks or loose >= _BLOCK_LOOSE_LINES:
            break
        else:
            loose += 1
        blanks = 0
    return "date" in kinds and bool(kinds & {"to", "subject"})


def _next_filled(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None
