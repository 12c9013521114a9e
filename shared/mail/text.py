"""The new words in an emailed reply, without the quoted history and the sign-off; a forwarded
message in it is kept whole, because that is what the customer sends the desk.

Where the quote or a forward starts in the languages the desk serves (English, Russian, Ukrainian,
Norwegian) is found by `mail.quotes`' line rules. Then mail-parser-reply (maintained, MIT, no
dependencies, knows the reply headers of Gmail, Apple Mail, Outlook and Thunderbird in a dozen more
languages) cuts what is left: other languages' quotes and the sign-off ("Sent from my iPhone",
"Best regards,"), with our languages' sign-offs added through its own per-language table. A
language-neutral rule also cuts a trailing `>`-quoted block with the line that introduces it. The
full message always stays downloadable, so cutting errs on keeping text.
"""

from itertools import chain
from textwrap import dedent

from mailparser_reply.constants import QUOTED_MATCH_INCLUDE
from mailparser_reply.parser import EmailMessage

from shared.mail import quotes
from shared.mail.parse import ParsedMail

# What mail-parser-reply calls a language: the reply header of each client, sign-offs, "sent from".
# An empty header pattern leaves that language's headers to `mail.quotes` (the library's English
# "From:" rule takes any two lines starting "From:", "To:"… for a quote, even in the customer's words).
_EXTRA_LANGUAGES = {
    "en": {
        "from_header": "",
        "sent_from": r"Sent from my|Sent from Mail for|Sent from Yahoo Mail|Sent from Outlook|Get Outlook for",
    },
    "ru": {
        # Gmail and Yandex end the line with the quoted sender's address and a colon, Thunderbird
        # with "пишет:", mail.ru and others with "написал" (or its feminine and neutral forms).
        "wrote_header": r"^("
        + QUOTED_MATCH_INCLUDE
        + r"[^\n]{0,200}?(?:<[^<>\s]+@[^<>\s]+>|пишет|написала?|написал\(а\)|писала?|писал\(а\))\s?:)$",
        "from_header": "",
        "signatures": ["С уважением", "С наилучшими пожеланиями", "Всего доброго", "Всего хорошего"],
        "sent_from": r"Отправлено (?:с|из|со) [^\n]{1,60}|(?:Получить|Скачайте|Загрузите) Outlook для",
        "disclaimers": [],
    },
    "uk": {
        "wrote_header": "",
        "from_header": "",
        "signatures": ["З повагою", "З найкращими побажаннями", "Щиро ваш", "Всього найкращого"],
        "sent_from": r"Надіслано (?:з|із|зі) [^\n]{1,60}|(?:Отримати|Отримайте|Завантажте) Outlook для",
        "disclaimers": [],
    },
    "nb": {
        "wrote_header": "",
        "from_header": "",
        "signatures": ["Med vennlig hilsen", "Vennlig hilsen", "Beste hilsen", "Mvh", "Hilsen"],
        "sent_from": r"Sendt fra [^\n]{1,60}|Hent Outlook for|Få Outlook for",
        "disclaimers": [],
    },
}
LANGUAGES = ["en", "ru", "uk", "nb", "de", "fr", "es", "it", "nl"]
# A sign-off starts with a short line that is no sentence ("Best regards," "--" "Sent from my
# iPhone"); a detected signature starting otherwise is most likely the reply ("Thanks, I tried it.").
_SIGN_OFF_WORDS = 6


class _ReplyMessage(EmailMessage):
    """mail-parser-reply's message, with the languages above beside (or over) its own."""

    def _get_language_regex(self, language: str, regex_key: str) -> str:
        extra = _EXTRA_LANGUAGES.get(language, {})
        if regex_key not in extra:
            if language not in _EXTRA_LANGUAGES or language == "en":
                return super()._get_language_regex(language, regex_key)
            return ""
        value = extra[regex_key]
        return "|".join(chain(value)) if isinstance(value, list) else value


def reply_of(mail: ParsedMail) -> str:
    """The new words of a received mail (see `reply_text`)."""
    return reply_text(mail.text, subject=mail.subject)


def reply_text(text: str, *, subject: str = "") -> str:
    """The newest reply in `text`: quoted history and a short sign-off removed, a forwarded message
    (found by its marker line, or for Outlook by a forward's `subject`) kept whole below the note
    above it. Falls back to the whole text when nothing would be left."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    lines = text.split("\n")
    forward = quotes.forward_start(lines, subject)
    quote = quotes.quote_start(lines)
    if forward is not None and (quote is None or forward <= quote):
        # Dedented: HTML made text indents a forward as deep as the markup nests it.
        note, forwarded = _newest("\n".join(lines[:forward])), dedent("\n".join(lines[forward:])).strip()
        return f"{note}\n\n{forwarded}".strip()
    if quote is not None and any(line.strip() for line in lines[:quote]):
        return _newest("\n".join(lines[:quote])) or text
    return _newest(text) or text


def _newest(text: str) -> str:
    """What mail-parser-reply and the trailing-quote rule leave of `text` ("" when nothing)."""
    text = text.strip()
    if not text:
        return ""
    parsed = _ReplyMessage(text=text, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    reply = parsed.replies[0] if parsed.replies else None
    if reply is None:
        return text
    body = reply.full_body
    if reply.signatures and _is_sign_off(reply.signatures.lstrip().split("\n", 1)[0]):
        body = reply.body
    return _cut_trailing_quote(body).strip()


def _is_sign_off(line: str) -> bool:
    line = line.strip()
    return len(line.split()) <= _SIGN_OFF_WORDS and not line.endswith((".", "?", ":"))


def _cut_trailing_quote(text: str) -> str:
    """Remove a `>`-quoted block at the end and the line that introduces it, in any language."""
    lines = text.rstrip().split("\n")
    end = len(lines)
    while end > 0 and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end == len(lines):
        return text
    if end > 0 and lines[end - 1].rstrip().endswith(":"):
        end -= 1
    return "\n".join(lines[:end]).rstrip()
