"""Reading numbers, pages and `next=` addresses within what the database and a header can hold."""

from datetime import date

import pytest

from shared.core import bounds
from shared.web.htmx import local_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(2**31 - 1), 2**31 - 1),
        (17, 17),
        (str(2**31), None),
        (str(2**63), None),
        ("9" * 10_000, None),  # past int()'s digit limit: refused before asking it
        ("\u00b2", None),  # str.isdigit says yes, int() says no
        ("\u0661\u0662", None),  # Arabic-Indic digits: int() reads them, nobody types a ticket number so
        ("0", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
        (True, None),
        (2**40, None),
    ],
)
def test_whole_reads_only_ascii_numbers_a_column_holds(text, expected):
    assert bounds.whole(text) == expected


def test_whole_takes_its_own_range():
    assert bounds.whole("0", low=0) == 0
    assert bounds.whole("51", high=50) is None


def test_a_page_that_is_none_is_the_first():
    assert [bounds.page(p) for p in ("3", "-3", "abc", str(2**63), None)] == [3, 1, 1, 1, 1]


def test_days_a_desk_means():
    assert bounds.is_day(date(2026, 12, 7)) and bounds.is_day(bounds.FIRST_DAY) and bounds.is_day(bounds.LAST_DAY)
    assert not bounds.is_day(date(9999, 12, 31)) and not bounds.is_day(date(1, 1, 1))


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("/portal/tickets", "/portal/tickets"),
        ("/portal/tickets?page=2#x", "/portal/tickets?page=2"),
        ("/portal", "/start"),
        ("/console/", "/start"),
        ("https://evil.example/portal/", "/start"),
        ("//evil.example/portal/", "/start"),
        ("/\\evil.example", "/start"),
        ("/portal/\\..\\x", "/start"),
        ("javascript:alert(1)", "/start"),
        ("/portal/\r\nSet-Cookie: x=1", "/start"),
        ("/portal/\x00", "/start"),
        ("/portal/\t", "/start"),
        ("", "/start"),
        (None, "/start"),
    ],
)
def test_local_path_keeps_only_this_areas_paths(asked, expected):
    assert local_path(asked, under="/portal/", default="/start") == expected
