"""What the database can hold, for values people type, post or put in an address.

Every id and number column is INTEGER, which PostgreSQL keeps in 32 bits (SQLite's driver refuses
past 64): a number beyond that must be refused where it comes in, never sent to a query that then
fails with a 500. The same for days a desk means: far-off dates overflow Python's `date` as soon as
a day is added to them. Views and forms read numbers and days through here; the routes' `<int:…>`
converter (shared/web/htmx.py) uses the same limit.
"""

from datetime import date

INT_MAX = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's columns hold more
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def whole(text: object, *, low: int = 1, high: int = INT_MAX) -> int | None:
    """`text` as a whole number from `low` to `high`, written in ASCII digits; anything else is None.

    `str.isdigit` alone is not enough: "²" and other Unicode digits pass it and then fail `int()`,
    and ten thousand digits pass it and then fail `int()` on Python's digit limit."""
    if isinstance(text, int) and not isinstance(text, bool):
        number = text
    else:
        raw = str(text if text is not None else "").strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(INT_MAX)):
            return None
        number = int(raw)
    return number if low <= number <= high else None


def page(text: object) -> int:
    """A page number from an address: anything that is not one is the first page (the pagers show
    the last page for one past the end)."""
    return whole(text) or 1


def is_day(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
