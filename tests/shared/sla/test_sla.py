"""The SLA clock's arithmetic: business time across weekends, holidays, time zones and DST changes."""

from datetime import date, datetime, time

import pytest

from shared.sla.business_time import Schedule, add_business, business_seconds, clock, running_segments, until

H = 3600
WEEKDAYS = frozenset(range(5))


def office(zone: str = "UTC", holidays=()) -> Schedule:
    return Schedule(zone, WEEKDAYS, time(9), time(17), frozenset(holidays))


def test_hours_run_inside_the_day_and_carry_over_the_weekend():
    friday_afternoon = datetime(2026, 12, 4, 15, 0)
    assert add_business(office(), friday_afternoon, 1 * H) == datetime(2026, 12, 4, 16, 0)
    # 2 h left on Friday, the other 2 h on Monday morning.
    assert add_business(office(), friday_afternoon, 4 * H) == datetime(2026, 12, 7, 11, 0)


def test_a_start_outside_hours_waits_for_the_next_opening():
    saturday = datetime(2026, 12, 5, 12, 0)
    assert add_business(office(), saturday, 0) == datetime(2026, 12, 7, 9, 0)
    assert add_business(office(), datetime(2026, 12, 7, 6, 0), 1 * H) == datetime(2026, 12, 7, 10, 0)
    assert add_business(office(), datetime(2026, 12, 7, 20, 0), 1 * H) == datetime(2026, 12, 8, 10, 0)


def test_a_holiday_is_skipped_like_a_weekend():
    christmas_eve = datetime(2026, 12, 24, 16, 0)  # Thursday; Friday the 25th is a holiday
    schedule = office(holidays=[date(2026, 12, 25)])
    assert add_business(schedule, christmas_eve, 2 * H) == datetime(2026, 12, 28, 10, 0)
    assert business_seconds(schedule, christmas_eve, datetime(2026, 12, 28, 10, 0)) == 2 * H


def test_business_days_are_whole_working_days():
    assert office().day_seconds == 8 * H
    monday_noon = datetime(2026, 12, 7, 12, 0)
    assert add_business(office(), monday_noon, 3 * 8 * H) == datetime(2026, 12, 10, 12, 0)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Berlin, spring forward on Sunday 29 March 2026: 09:00 is 08:00 UTC before, 07:00 UTC after.
        (datetime(2026, 3, 27, 15, 0), datetime(2026, 3, 30, 9, 0)),
        # Berlin, fall back on Sunday 25 October 2026: 09:00 is 07:00 UTC before, 08:00 UTC after.
        (datetime(2026, 10, 23, 14, 0), datetime(2026, 10, 26, 10, 0)),
    ],
)
def test_berlin_hours_follow_the_local_clock_across_dst(start, expected):
    # Friday 16:00/15:00 local with 1 h left that day; 2 h more run on Monday from 09:00 local.
    assert add_business(office("Europe/Berlin"), start, 3 * H) == expected


def test_new_york_spring_forward_shifts_opening_in_utc():
    schedule = office("America/New_York")
    # Friday 6 March 2026, 16:00 EST (21:00 UTC); DST starts Sunday 8 March: Monday opens 13:00 UTC.
    assert add_business(schedule, datetime(2026, 3, 6, 21, 0), 2 * H) == datetime(2026, 3, 9, 14, 0)
    assert business_seconds(schedule, datetime(2026, 3, 6, 21, 0), datetime(2026, 3, 9, 14, 0)) == 2 * H


def test_a_calendar_without_working_time_says_so():
    with pytest.raises(ValueError):
        add_business(Schedule("UTC", frozenset(), time(9), time(17)), datetime(2026, 12, 7), H)


def test_the_clock_pauses_and_resumes_with_the_time_used_kept():
    created = datetime(2026, 12, 7, 9, 0)  # Monday
    segments = running_segments(
        created,
        [(datetime(2026, 12, 7, 10, 0), False), (datetime(2026, 12, 8, 9, 0), True)],  # waits on the customer
    )
    assert segments == [(created, datetime(2026, 12, 7, 10, 0)), (datetime(2026, 12, 8, 9, 0), None)]
    running = clock(office(), segments, 4 * H, now=datetime(2026, 12, 8, 9, 30))
    assert running.running and running.due_at == datetime(2026, 12, 8, 12, 0)
    assert running.remaining == 2.5 * H
    paused = clock(office(), segments[:1], 4 * H, now=datetime(2026, 12, 7, 15, 0))
    assert not paused.running and paused.due_at is None and paused.remaining == 3 * H


def test_a_target_missed_before_a_pause_keeps_its_due_time():
    created = datetime(2026, 12, 7, 9, 0)
    segments = running_segments(created, [(datetime(2026, 12, 7, 12, 0), False)])
    missed = clock(office(), segments, 1 * H, now=datetime(2026, 12, 9, 9, 0))
    assert missed.due_at == datetime(2026, 12, 7, 10, 0) and not missed.running and missed.remaining == -2 * H


def test_a_met_target_stops_where_it_was_met():
    created = datetime(2026, 12, 7, 9, 0)
    segments = running_segments(created, [])
    met = clock(office(), until(segments, datetime(2026, 12, 7, 9, 30)), 1 * H, now=datetime(2026, 12, 8, 9, 0))
    assert met.due_at is None and not met.running and met.remaining == 0.5 * H


def test_a_reopened_ticket_runs_again_from_where_it_stopped():
    created = datetime(2026, 12, 7, 9, 0)
    changes = [(datetime(2026, 12, 7, 11, 0), False), (datetime(2026, 12, 14, 9, 0), True)]  # closed, reopened
    reopened = clock(office(), running_segments(created, changes), 4 * H, now=datetime(2026, 12, 14, 9, 0))
    assert reopened.running and reopened.due_at == datetime(2026, 12, 14, 11, 0)


def test_a_clock_running_for_years_still_adds_up():
    created = datetime(2022, 1, 3, 9, 0)  # a Monday, four years and more before "now"
    long = clock(office(), running_segments(created, []), 8 * H, now=datetime(2026, 12, 7, 9, 0))
    assert long.due_at == datetime(2022, 1, 3, 17, 0) and long.remaining < -1000 * 8 * H
