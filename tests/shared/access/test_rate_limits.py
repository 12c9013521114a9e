"""The counters under the abuse limits, without HTTP: reading the settings, fixed windows, parallel
counting on one row (SQLite and PostgreSQL), counting inside a transaction, and the purge."""

import threading

import pytest
from sqlalchemy import func, select

from shared.access import rate_limits
from shared.access.rate_limits import Hit, Limit
from shared.models import RateLimitCount

NOON = 1_796_644_800  # 2026-12-07 12:00:00 UTC: a window boundary for every period used here


@pytest.mark.parametrize(
    ("spec", "limits"),
    [
        ("10 per minute", [Limit(10, 60)]),
        ("5 per 15 minutes", [Limit(5, 900)]),
        ("100/day", [Limit(100, 86400)]),
        (" 3 PER Hour ", [Limit(3, 3600)]),
        ("2 per second; 30 per hour", [Limit(2, 1), Limit(30, 3600)]),
        ("", []),
        (None, []),
    ],
)
def test_limits_are_read_from_their_settings(spec, limits):
    assert rate_limits.parse(spec) == limits


@pytest.mark.parametrize("spec", ["ten per minute", "10 per fortnight", "10 per 0 hours", "10", "per minute"])
def test_a_setting_that_is_no_limit_is_refused(spec):
    with pytest.raises(ValueError, match="not a rate limit"):
        rate_limits.parse(spec)


def hit(value: str = "someone", spec: str = "3 per minute") -> list[Hit]:
    return [Hit("test", value, rate_limits.parse(spec))]


def test_a_fixed_window_allows_the_limit_then_says_how_long_to_wait(app, db):
    assert [rate_limits.count(hit(), now=NOON + 10) for _ in range(3)] == [None, None, None]
    assert rate_limits.count(hit(), now=NOON + 10) == 50
    assert rate_limits.count(hit(), now=NOON + 59) == 1
    assert rate_limits.count(hit("someone else"), now=NOON + 59) is None
    assert rate_limits.count(hit(), now=NOON + 60) is None  # a new window


def test_the_longest_wait_of_the_exceeded_limits_is_answered(app, db):
    spec = "1 per minute; 2 per hour"
    assert rate_limits.count(hit(spec=spec), now=NOON) is None
    assert rate_limits.count(hit(spec=spec), now=NOON + 1) == 59
    assert rate_limits.count(hit(spec=spec), now=NOON + 61) == 3600 - 61


def test_no_limits_cost_no_statement(app, db):
    assert rate_limits.count(hit(spec=""), now=NOON) is None
    assert db.session.scalar(select(func.count()).select_from(RateLimitCount)) == 0


def test_parallel_requests_on_one_key_never_pass_more_than_the_limit(app, db):
    """Each thread its own app context and connection, all released at once against one row."""
    threads, results, start = 16, [], threading.Barrier(16)

    def one() -> None:
        with app.app_context():
            start.wait()
            results.append(rate_limits.count(hit(spec="5 per hour"), now=NOON))
            db.session.remove()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results.count(None) == 5 and len(results) == threads
    assert db.session.scalar(select(RateLimitCount.n)) == threads


def test_counting_in_the_request_transaction_is_undone_by_its_rollback(app, db):
    assert rate_limits.count(hit(spec="1 per hour"), own_transaction=False, now=NOON) is None
    db.session.rollback()
    assert rate_limits.count(hit(spec="1 per hour"), own_transaction=False, now=NOON) is None
    db.session.commit()
    assert rate_limits.count(hit(spec="1 per hour"), now=NOON) == 3600


def test_the_purge_deletes_only_windows_that_are_over(app, db):
    rate_limits.count(hit(spec="1 per minute; 1 per hour"), now=NOON)
    assert rate_limits.purge_expired(now=NOON + 60) == 1
    db.session.commit()
    assert db.session.scalar(select(RateLimitCount.expires_at)) == NOON + 3600
