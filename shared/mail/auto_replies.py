"""Out-of-office and other vacation responders that send none of the standard headers.

RFC 3834's `Auto-Submitted`, `X-Autoreply` and `Precedence` catch most automatic mail (see
`mail.parse`), but many responders (a Gmail vacation reply passed through a forwarder that drops
headers, Outlook rules that "reply using a template", Yandex and Mail.ru forms, small hosting
panels) send mail that looks like a person's. Left alone such a reply opens a ticket, is
acknowledged, and the acknowledgement is answered again: a loop. These are recognised by what
they say where they say it: the subject's first words ("Automatic reply:", "Out of Office:",
"Автоответ:", "Fraværende:"), or the text's opening lines ("I am out of the office until…", "Я в
отпуске до…"). Only there: a person who mentions "out of office" further down, or whose subject
merely contains the words, is still read as a person.
"""

import re

# What the responders of the languages the desk serves (en, ru, uk, nb, sv; de too, it is common)
# put first in the subject. Each is matched from the subject's start, and must be followed by its
# end, punctuation, a number or a "until"-like word (see _SUBJECT_TAIL), so "Out of office policy
# question" or "Automatic reply settings" stay a person's.
_SUBJECT_PHRASES = (
    # English: Outlook ("Automatic reply:"), Exchange ("Out of Office:", "Out of Office AutoReply:"),
    # Lotus Notes ("AUTO:"), and the forms people type into Gmail's vacation responder.
    r"automatic\s+reply",
    r"automatic\s+response",
    r"auto[\s-]?reply",
    r"auto[\s-]?response",
    r"auto[\s-]?responder",
    r"out\s+of\s+(?:the\s+)?office(?:\s+auto[\s-]?reply)?",
    r"away\s+from\s+(?:the\s+)?office",
    r"on\s+(?:annual\s+)?(?:vacation|holiday|leave)",
    r"vacation\s+(?:reply|response|notice|message)",
    # Russian: Outlook ("Автоматический ответ:", older "Нет на месте:"), Yandex and Mail.ru
    # ("Автоответ:"), people's own ("Я в отпуске").
    r"автоматический\s+ответ",
    r"автоответ(?:чик)?",
    r"нет\s+на\s+месте",
    r"вне\s+офиса",
    r"я\s+(?:сейчас\s+)?в\s+отпуске",
    r"в\s+отпуске",
    # Ukrainian
    r"автоматична\s+відповідь",
    r"автовідповідь",
    r"немає\s+на\s+місці",
    r"поза\s+офісом",
    r"я\s+(?:зараз\s+)?у\s+відпустці",
    r"у\s+відпустці",
    # Norwegian
    r"fraværende",
    r"automatisk\s+svar",
    r"autosvar",
    r"ikke\s+på\s+kontoret",
    # Swedish
    r"frånvaro(?:meddelande)?",
    r"frånvarande",
    r"automatiskt\s+svar",
    r"inte\s+på\s+kontoret",
    # German
    r"abwesenheitsnotiz",
    r"automatische\s+antwort",
)
_SUBJECT_TAIL = (
    r"(?:\s*$|\s*[:\-–—(\[,.!/|]|\s+\d"
    r"|\s+(?:until|till|through|from|back|returning|до|по|с|з|til|tilbake|fra|tills|tillbaka|från|bis)\b)"
)
_SUBJECT = re.compile(
    # Lotus Notes: "AUTO: Ann is out of the office (returning 04.01.2027)"; "Auto" alone is a person's word.
    rf"^\s*(?:auto\s*:|(?:{'|'.join(_SUBJECT_PHRASES)}){_SUBJECT_TAIL})",
    re.IGNORECASE,
)

# The opening lines of a vacation message, matched at a line's start. A short "thank you for your
# mail" may come first, on the same line.
_THANKS = (
    r"(?:(?:thank\s+you|thanks)\s+for\s+(?:your\s+)?(?:e-?mail|message|mail|note)"
    r"|спасибо\s+за\s+(?:ваше\s+|ваш\s+)?(?:письмо|сообщение|обращение)"
    r"|дякую\s+за\s+(?:ваш\s+|ваше\s+)?(?:лист|повідомлення)"
    r"|takk\s+for\s+(?:din\s+|e-?posten\s+din\s+)?(?:e-?post(?:en)?|melding(?:en)?|henvendelse(?:n)?)"
    r"|tack\s+för\s+(?:ditt\s+|din\s+)?(?:mejl|mail|e-?post|meddelande)"
    r")[\s.,!:;—–-]*"
)
_OPENING_PHRASES = (
    # English
    r"(?:i\s+am|i'm|i’m|i\s+will\s+be|i'll\s+be)\s+(?:currently\s+|now\s+|presently\s+)?"
    r"(?:out\s+of\s+(?:the\s+)?office|away\s+from\s+(?:the\s+|my\s+)?(?:office|desk)|away\s+(?:until|till|on)"
    r"|on\s+(?:annual\s+|parental\s+|sick\s+|holiday\s+)?(?:leave|vacation|holiday))",
    r"this\s+is\s+an?\s+(?:automatic|automated|auto-generated|auto)\s*(?:reply|response|message|answer)",
    r"(?:automatic\s+reply|auto[\s-]?reply|out\s+of\s+(?:the\s+)?office)\s*(?:[:.!\-–—]|$)",
    # Russian
    r"я\s+(?:сейчас\s+|в\s+данный\s+момент\s+|временно\s+|нахожусь\s+|буду\s+)*"
    r"(?:в\s+отпуске|в\s+командировке|вне\s+офиса|на\s+больничном|отсутствую|не\s+в\s+офисе)",
    r"(?:это|данное\s+(?:письмо|сообщение)\s*[-–—]?)\s*(?:—\s*)?автоматическ(?:ий|ое)\s+(?:ответ|сообщение)",
    r"(?:автоматический\s+ответ|автоответ|вас\s+приветствует\s+автоответчик)\s*(?:[:.!\-–—]|$)",
    # Ukrainian
    r"я\s+(?:зараз\s+|наразі\s+|тимчасово\s+|перебуваю\s+|буду\s+)*"
    r"(?:у\s+відпустці|в\s+відпустці|у\s+відрядженні|поза\s+офісом|на\s+лікарняному|відсутн(?:ій|я))",
    r"це\s+автоматична\s+відповідь|це\s+автоматичне\s+повідомлення",
    r"(?:автоматична\s+відповідь|автовідповідь)\s*(?:[:.!\-–—]|$)",
    # Norwegian
    r"jeg\s+er\s+(?:for\s+tiden\s+|nå\s+|dessverre\s+)?"
    r"(?:fraværende|på\s+ferie|ikke\s+på\s+kontoret|ute\s+av\s+kontoret|borte|i\s+permisjon|på\s+reise)",
    r"dette\s+er\s+(?:et\s+)?automatisk\s+svar",
    r"(?:automatisk\s+svar|fraværende|autosvar)\s*(?:[:.!\-–—]|$)",
    # Swedish
    r"jag\s+är\s+(?:för\s+närvarande\s+|just\s+nu\s+|tyvärr\s+)?"
    r"(?:frånvarande|på\s+semester|inte\s+på\s+kontoret|ledig|tjänstledig|föräldraledig|borta|bortrest)",
    r"detta\s+är\s+(?:ett\s+)?automatiskt\s+svar",
    r"(?:automatiskt\s+svar|frånvaro(?:meddelande)?|autosvar)\s*(?:[:.!\-–—]|$)",
)
_OPENING = re.compile(rf"^(?:{_THANKS})?(?:{'|'.join(_OPENING_PHRASES)})", re.IGNORECASE)
_THANKS_LINE = re.compile(rf"^{_THANKS}$", re.IGNORECASE)
# A greeting the message may open with before it says why nobody answers: a line of its own
# ("Hello Anna,"), or the start of the line that says it ("Hei, jeg er på ferie").
_GREETING = re.compile(
    r"^(?:hello|hi|hey|dear|good\s+(?:morning|afternoon|day|evening)|greetings"
    r"|здравствуйте|добрый\s+день|добрый\s+вечер|доброе\s+утро|привет|уважаем(?:ый|ая|ые)"
    r"|вітаю|добрий\s+день|доброго\s+дня|шановн(?:ий|а|і)|привіт"
    r"|hei|hallo|god\s+dag|hej|hejsan|god\s+morgon)\b",
    re.IGNORECASE,
)
_GREETING_LINE = re.compile(rf"{_GREETING.pattern}[^.!?:]{{0,40}}[,!.:]?$", re.IGNORECASE)
_GREETING_START = re.compile(rf"{_GREETING.pattern}[^.!?:,]{{0,40}}[,!.:]\s*", re.IGNORECASE)


def is_vacation_reply(subject: str, text: str) -> bool:
    """Whether a mail without the standard headers is an out-of-office or other automatic reply,
    by its subject's first words or its text's opening lines (never by words further on)."""
    return subject_says_automatic(subject) or opening_says_automatic(text)


def subject_says_automatic(subject: str) -> bool:
    return _SUBJECT.match(" ".join((subject or "").split())) is not None


def opening_says_automatic(text: str) -> bool:
    lines = [" ".join(line.split()).lstrip("*_ ") for line in (text or "")[:3000].splitlines()[:40]]
    lines = [line for line in lines if line and not line.startswith(">")]
    # The first line that says something: after a greeting and a "thank you for your mail" of their own.
    for skip in (_GREETING_LINE, _THANKS_LINE):
        if lines and len(lines[0]) <= 60 and skip.match(lines[0]):
            lines = lines[1:]
    return bool(lines) and _OPENING.match(_GREETING_START.sub("", lines[0], count=1)) is not None
