"""Counting the SQL a piece of code runs, to show that a page's statements do not grow with its data."""

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

FEW, MANY = 5, 60  # rows (tickets, entries) on a page: before and after the data grows

# A placeholder as SQLite (`?`) and psycopg (`%(name)s`, cast as `::INTEGER` in batch loads) write it.
_PARAMETER = r"(?:\?|%\(\w+\)s)(?:::\w+)?"
_IN_LIST = re.compile(rf"IN \({_PARAMETER}(?:, {_PARAMETER})*\)")


@contextmanager
def recorded(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    """The statements sent to the database while the block runs, in order, with their parameters
    (to EXPLAIN them as they ran); filled in as they run."""
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, *args) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for(client, url: str, engine: Engine, **kwargs) -> list[str]:
    """The statements one GET of `url` runs; the request must succeed."""
    with recorded(engine) as statements:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return [statement for statement, _parameters in statements]


def shapes(statements: list[str]) -> Counter[str]:
    """How often each statement runs, with IN lists (a batch load's ids) collapsed to one shape."""
    return Counter(_IN_LIST.sub("IN (…)", statement) for statement in statements)


def grown(few: list[str], many: list[str]) -> dict[str, tuple[int, int]]:
    """The statements that ran more often with more rows: an N+1. A batch load (`IN (…)`) may run
    once more, as the session already holding some of the rows splits it differently (a ticket's
    customer and its last writer are often the same person); anything else must run as often."""
    before, after = shapes(few), shapes(many)
    slack = {shape: 1 if "IN (…)" in shape else 0 for shape in after}
    return {s: (before[s], after[s]) for s in after if after[s] > before[s] + slack[s]}


def assert_constant(client, engine: Engine, grow, pages: dict[str, tuple[str, dict]]) -> dict[str, tuple[int, int]]:
    """Each page (a URL and its request's headers) runs no statement more often once `grow` has made
    MANY rows than with FEW (see `grown`); returns each page's statement count with FEW and with MANY."""
    grow(FEW)
    for url, headers in pages.values():
        statements_for(client, url, engine, headers=headers)  # warm: what runs once per process or person
    few = {name: statements_for(client, url, engine, headers=headers) for name, (url, headers) in pages.items()}
    grow(MANY)
    many = {name: statements_for(client, url, engine, headers=headers) for name, (url, headers) in pages.items()}
    growing = {name: grown(few[name], many[name]) for name in pages}
    assert not any(growing.values()), growing
    return {name: (len(few[name]), len(many[name])) for name in pages}
