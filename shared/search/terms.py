"""The words of what an agent typed into the search box, as each database's index reads them."""

import re
from functools import reduce

from sqlalchemy import ColumnElement, bindparam, func

from shared.search.index import PG_CONFIG

MAX_TERMS = 16
_NUMBER = re.compile(r"#?\s*(\d{1,9})")


def ticket_number(query: str) -> int | None:
    """`#1042` or `1042` typed alone: the number of a ticket to go straight to."""
    found = _NUMBER.fullmatch((query or "").strip())
    return int(found.group(1)) if found else None


def terms(query: str) -> list[str]:
    """The words to look for, each taken literally: search syntax (quotes, AND, *, parentheses) is
    just text here. A token without a letter or digit finds nothing and is dropped."""
    printable = "".join(ch if ch.isprintable() else " " for ch in query or "")  # PostgreSQL refuses NUL
    return [token for token in printable.split() if any(ch.isalnum() for ch in token)][:MAX_TERMS]


def is_prefix(word: str) -> bool:
    """The last word also finds longer ones ("invoi" finds "invoice") when it is a plain word of three
    letters or more: shorter beginnings match so many words that they only cost time."""
    return word.isalnum() and len(word) >= 3


def fts5_query(words: list[str]) -> str:
    """Every word as an FTS5 phrase in quotes, so no character of it is syntax."""
    phrases = ['"' + word.replace('"', '""') + '"' for word in words]
    if is_prefix(words[-1]):
        phrases[-1] += "*"
    return " ".join(phrases)


def tsquery(words: list[str]) -> ColumnElement:
    """The words as a tsquery, each parsed as a phrase by PostgreSQL itself; the last as a prefix."""
    parts = [func.phraseto_tsquery(PG_CONFIG, bindparam(None, word)) for word in words[:-1]]
    last = words[-1]
    parts.append(
        func.to_tsquery(PG_CONFIG, bindparam(None, f"'{last}':*"))
        if is_prefix(last)
        else func.phraseto_tsquery(PG_CONFIG, bindparam(None, last))
    )
    return reduce(lambda left, right: left.op("&&")(right), parts)
