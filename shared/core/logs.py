"""Log lines that say when they happened: every line the desk writes (the app's errors, the worker,
mail in and out, the libraries underneath) starts with an ISO 8601 UTC timestamp, whichever
process writes it (gunicorn's workers, `flask worker`, a CLI command). The request log keeps its
own handler, one JSON object per line, and puts the same timestamp in its `time` field."""

import logging
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

LINE = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def iso_utc(seconds: float) -> str:
    """A moment (seconds since the epoch) as 2026-12-07T13:05:09.123Z."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class UtcFormatter(logging.Formatter):
    """`%(asctime)s` in ISO 8601, UTC, to the millisecond, whatever the machine's time zone."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_utc(record.created)


class DeskHandler(logging.StreamHandler):
    """Standard error, with timestamps; its own class so it is installed once per process."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(UtcFormatter(LINE))


def init_logging(app: Flask) -> None:
    """The root logger writes timestamped lines to standard error, once per process; the desk's own
    loggers ("deskbell.*") say what they do (INFO), and Flask's handler without a timestamp goes."""
    root = logging.getLogger()
    # Alembic's logging config (migrations/alembic.ini) replaces the root's handlers with one that
    # uses the same formatter; either one is enough.
    if not any(isinstance(handler.formatter, UtcFormatter) for handler in root.handlers):
        root.addHandler(DeskHandler())
    desk = logging.getLogger("deskbell")
    if desk.level == logging.NOTSET:
        desk.setLevel(logging.INFO)
    app.logger.removeHandler(default_handler)
