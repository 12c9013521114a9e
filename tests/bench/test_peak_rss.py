"""The benchmark's worker memory figure is the worker's own, whatever the runner itself holds."""

import sys

from bench import processes

HOLD_MB = 40


def test_a_child_peak_ignores_the_runners_own_peak() -> None:
    _runner_ballast = b"x" * (300 * 2**20)  # the runner, as after seeding a large desk: held till the end
    child = f"import time; b = b'x' * ({HOLD_MB} * 2**20); time.sleep(0.5)"
    peak = processes.peak_rss_mb([sys.executable, "-c", child], {}, limit_seconds=30)
    assert HOLD_MB < peak < HOLD_MB + 60


def test_a_command_past_the_limit_is_stopped_with_its_peak_so_far() -> None:
    child = f"import time; b = b'x' * ({HOLD_MB} * 2**20); time.sleep(60)"
    peak = processes.peak_rss_mb([sys.executable, "-c", child], {}, limit_seconds=1)
    assert HOLD_MB < peak < HOLD_MB + 60
