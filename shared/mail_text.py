"""The new words in an emailed reply, without the quoted history and the sign-off.

Quoted text and signatures are found by mail-parser-reply (maintained, MIT, no dependencies,
knows the reply headers of Gmail, Apple Mail, Outlook and Thunderbird in a dozen languages). It has
no Russian, one of the desk's languages, so Russian patterns are added here through its own
per-language table; a language-neutral rule also cuts a trailing `>`-quoted block with the line
that introduces it. The full message always stays downloadable, so cutting errs on keeping text.
"""

from itertools import chain

from mailparser_reply.constants import QUOTED_MATCH_INCLUDE
from mailparser_reply.parser import EmailMessage

# What mail-parser-reply calls a language: the reply header of each client, sign-offs, "sent from".
_EXTRA_LANGUAGES = {
    "ru": {
        # Gmail and Yandex end the line with the quoted sender's address and a colon, Thunderbird
        # with "пишет:", mail.ru and others with "написал" (or its feminine and neutral forms).
        "wrote_header": r"^("
        + QUOTED_MATCH_INCLUDE
        + r"[^\n]{0,200}?(?:<[^<>\s]+@[^<>\s]+>|пишет|написала?|написал\(а\)|писала?|писал\(а\))\s?:)$",
        "from_header": r"((?:(?:^|\n|\n"
        + QUOTED_MATCH_INCLUDE
        + r")[* ]*(?:От|Отправлено|Кому|Копия|Тема|Дата):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})",
        "signatures": ["С уважением", "С наилучшими пожеланиями", "Всего доброго", "Всего хорошего"],
        "sent_from": r"Отправлено (?:с|из) [^\n]{1,60}",
        "disclaimers": [],
    },
}
LANGUAGES = ["en", "ru", "de", "fr", "es", "it", "nl"]
# A sign-off starts with a short line that is no sentence ("Best regards," "--" "Sent from my
# iPhone"); a detected signature starting otherwise is most likely the reply ("Thanks, I tried it.").
_SIGN_OFF_WORDS = 6


class _ReplyMessage(EmailMessage):
    """mail-parser-reply's message, with the languages above beside its own."""

    def _get_language_regex(self, language: str, regex_key: str) -> str:
        extra = _EXTRA_LANGUAGES.get(language)
        if extra is None:
            return super()._get_language_regex(language, regex_key)
        value = extra.get(regex_key, "")
        return "|".join(chain(value)) if isinstance(value, list) else value


def reply_text(text: str) -> str:
    """The newest reply in `text`: quoted history and a short sign-off removed. Falls back to the
    whole text when nothing would be left."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    parsed = _ReplyMessage(text=text, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    reply = parsed.replies[0] if parsed.replies else None
    if reply is None:
        return text
    body = reply.full_body
    if reply.signatures and _is_sign_off(reply.signatures.lstrip().split("\n", 1)[0]):
        body = reply.body
    body = _cut_trailing_quote(body)
    return body.strip() or text


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
