"""The background worker: a short list of periodic jobs, run forever or once.

`flask --app wsgi worker` runs each job every so many seconds (a config key per job) until
SIGINT or SIGTERM; `--once` runs each job once and exits, for tests and cron. A job that
fails is logged and tried again on its next turn; it never stops the others. Several workers
may run at once: the outbox claims rows, and the timers are idempotent.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from shared.access import rate_limits
from shared.core.extensions import db
from shared.delivery import sending
from shared.mail import fetch
from shared.models import utcnow
from shared.sla import tracking
from shared.tickets import properties, reminders

log = logging.getLogger("deskbell.worker")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]  # runs in the app context and commits its own work; returns a summary
    every: str  # the config key with the interval in seconds


def _expire_pending() -> str:
    reminded = reminders.remind_pending()
    moved = properties.expire_pending()
    db.session.commit()
    return f"{moved} ticket(s) closed after waiting on the customer, {reminded} reminder(s) sent"


# Breached tickets recorded per transaction.
BREACH_BATCH = 100


def record_breaches() -> str:
    """The SLA breaches due now, committed a batch at a time: a backlog (a desk back from a long
    weekend) is neither held in memory at once nor lost as a whole when the worker stops."""
    now, breached = utcnow(), 0
    while found := tracking.record_breaches(now, limit=BREACH_BATCH):
        db.session.commit()
        breached += found
    db.session.commit()
    return f"{breached} SLA breach(es) recorded"


def purge_rate_limits() -> str:
    """The abuse limits' counts whose window is over: nothing reads them again."""
    purged = rate_limits.purge_expired()
    db.session.commit()
    return f"{purged} expired rate-limit count(s) deleted"


# The outbox comes last, so a single run (`--once`, cron) also sends what the other jobs queued.
JOBS: list[Job] = [
    Job("pending-expiry", _expire_pending, "WORKER_TIMERS_SECONDS"),
    Job("sla-breaches", record_breaches, "WORKER_TIMERS_SECONDS"),
    Job("rate-limit-purge", purge_rate_limits, "WORKER_TIMERS_SECONDS"),
    Job("mail-in", fetch.poll, "WORKER_MAIL_IN_SECONDS"),
    Job("outbox", sending.deliver_due, "WORKER_OUTBOX_SECONDS"),
]


def run_job(job: Job) -> object | None:
    """One turn of `job`: its summary, or None when it failed (logged, rolled back)."""
    try:
        return job.run()
    except Exception:
        log.exception("worker job %s failed", job.name)
        db.session.rollback()
        return None
    finally:
        db.session.remove()  # the next turn reads fresh rows


def run_once(jobs: list[Job] | None = None) -> dict[str, object | None]:
    """Each job once, in order."""
    return {job.name: run_job(job) for job in jobs or JOBS}


def run_forever(stop: threading.Event, jobs: list[Job] | None = None) -> None:
    """Run each job when its interval has passed, until `stop` is set."""
    jobs = jobs or JOBS
    due = dict.fromkeys((job.name for job in jobs), 0.0)
    while not stop.is_set():
        for job in jobs:
            if stop.is_set():
                break
            if time.monotonic() >= due[job.name]:
                result = run_job(job)
                if result:
                    log.info("%s: %s", job.name, result)
                due[job.name] = time.monotonic() + float(current_app.config[job.every])
        stop.wait(max(0.0, min(min(due.values()) - time.monotonic(), 1.0)))
