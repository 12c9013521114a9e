"""Marking the words a search found: the subject, and the best passage of a ticket's messages."""

import re
import unicodedata

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, func, select

from shared.core.extensions import db
from shared.models import Ticket
from shared.search.index import DOCUMENT_VIEW, PG_CONFIG, PG_INDEX, on_postgres
from shared.search.terms import is_prefix, tsquery

# Where the database marks a match, in text that is escaped before the marks become <mark> tags.
START, STOP = "\ue000", "\ue001"


def in_subject(ids: list[int], words: list[str]) -> set[int]:
    """Which of `ids` hold every word in their subject, read from the subjects themselves by the same
    rules the marks follow: asking the index again would expand the last word's prefix a second time,
    in proportion to every ticket that holds it (13 ms of a search at 1M tickets)."""
    wanted = [[_fold(token) for token in _TOKEN.findall(word)] for word in words]
    prefix = is_prefix(words[-1])
    subjects = db.session.execute(select(Ticket.id, Ticket.subject).where(Ticket.id.in_(ids)))
    return {ticket_id for ticket_id, subject in subjects if _holds(subject, wanted, prefix)}


def _holds(text_: str, wanted: list[list[str]], prefix: bool) -> bool:
    """Whether the text holds each word's tokens side by side, as FTS5 matches a phrase; with `prefix`,
    the very last token may begin a longer word."""
    folded = _fold(text_)
    if not all(token in folded for phrase in wanted for token in phrase):
        return False  # most texts: a word is not even a part of it
    tokens = _TOKEN.findall(folded)
    for n, phrase in enumerate(wanted):
        last = len(phrase) - 1
        loose = prefix and n == len(wanted) - 1
        if not any(
            all(
                tokens[at + i] == token or (loose and i == last and tokens[at + i].startswith(token))
                for i, token in enumerate(phrase)
            )
            for at in range(len(tokens) - last)
        ):
            return False
    return True


def marked(passage: str | None) -> Markup:
    """Escape a passage, then turn the database's match marks into <mark> tags, always balanced."""
    out, inside = [], False
    for part in re.split(f"([{START}{STOP}])", " ".join((passage or "").split())):
        if part == START and not inside:
            out.append("<mark>")
            inside = True
        elif part == STOP and inside:
            out.append("</mark>")
            inside = False
        elif part not in (START, STOP):
            out.append(str(escape(part)))
    return Markup("".join(out) + ("</mark>" if inside else ""))


def _untagged(text_column: ColumnElement) -> ColumnElement:
    """As the document was indexed (0011): a space after each "<", or PostgreSQL's parser would skip
    whatever looks like an HTML tag."""
    return func.replace(text_column, "<", "< ")


def highlights(ids: list[int], words: list[str]) -> dict[int, tuple[str, str]]:
    """The marked subject and the best passage of the messages, for one page of tickets only."""
    if on_postgres():
        query = tsquery(words)
        marks = f'StartSel="{START}", StopSel="{STOP}"'
        passage = f'MaxFragments=2, MaxWords=18, MinWords=8, FragmentDelimiter=" … ", {marks}'
        rows = select(
            PG_INDEX.c.ticket_id,
            func.ts_headline(PG_CONFIG, _untagged(PG_INDEX.c.subject), query, f"HighlightAll=true, {marks}"),
            func.ts_headline(PG_CONFIG, _untagged(PG_INDEX.c.body), query, passage),
        ).where(PG_INDEX.c.ticket_id.in_(ids))
        return {
            ticket_id: (subject.replace("< ", "<"), snippet.replace("< ", "<"))
            for ticket_id, subject, snippet in db.session.execute(rows)
        }
    # FTS5's highlight() and snippet() would expand a prefix query again for every ticket asked for by
    # id (seconds on a big desk), so the page's few documents are marked here, by FTS5's own rules.
    wanted = _wanted(words)
    rows = select(DOCUMENT_VIEW.c.ticket_id, DOCUMENT_VIEW.c.subject, DOCUMENT_VIEW.c.body).where(
        DOCUMENT_VIEW.c.ticket_id.in_(ids)
    )
    return {
        ticket_id: (_mark(subject, wanted), _mark(body, wanted, window=PASSAGE_WORDS))
        for ticket_id, subject, body in db.session.execute(rows)
    }


_TOKEN = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 tokenizer splits text
PASSAGE_WORDS = 24


def _fold(word: str) -> str:
    """Case and accents away, as the index compares words."""
    if word.isascii():  # nothing to decompose: the common case, kept quick
        return word.lower()
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(ch))


def _wanted(words: list[str]) -> list[tuple[str, bool]]:
    """Each token of the query, folded, and whether it may be the start of a longer word."""
    wanted = []
    for n, word in enumerate(words):
        tokens = _TOKEN.findall(word)
        for m, token in enumerate(tokens):
            wanted.append((_fold(token), n == len(words) - 1 and m == len(tokens) - 1 and is_prefix(word)))
    return wanted


def _mark(text_: str, wanted: list[tuple[str, bool]], window: int | None = None) -> str:
    """The text with START/STOP around the words the query asked for; with `window`, only that many
    words around the place where most different ones meet, with "…" where the text goes on."""
    tokens, hits = [], {}  # hits: each different word of the text looked up once
    for found in _TOKEN.finditer(text_):
        word = found.group()
        if word not in hits:
            folded = _fold(word)
            hits[word] = next(
                (i for i, (w, prefix) in enumerate(wanted) if folded == w or (prefix and folded.startswith(w))), None
            )
        tokens.append((found.start(), found.end(), hits[word]))
    first, last = 0, len(tokens)
    if window is not None and len(tokens) > window:
        starts = [max(0, min(i - 3, len(tokens) - window)) for i, token in enumerate(tokens) if token[2] is not None]
        first = max(starts or [0], key=lambda s: (len({t[2] for t in tokens[s : s + window]} - {None}), -s))
        last = first + window
    out, at = [], tokens[first][0] if tokens and first else 0
    for start, end, hit in tokens[first:last]:
        if hit is not None:
            out += [text_[at:start], START, text_[start:end], STOP]
            at = end
    end = tokens[last - 1][1] if tokens and last < len(tokens) else len(text_)
    out.append(text_[at:end])
    return ("… " if first else "") + "".join(out) + (" …" if end < len(text_) else "")
