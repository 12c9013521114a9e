"""The project's own test messages (tests/shared/mail/messages/<area>/*.eml, one file per client and case)
and the way an MTA hands them to the desk: `flask mail ingest` on standard input."""

import re
from pathlib import Path

from flask.testing import FlaskCliRunner

from shared.core.extensions import db
from shared.models import InboundMessage

MESSAGES = Path(__file__).parent / "messages"
# Stands for the Message-ID of the desk's acknowledgement in messages that answer it; a test puts
# the real one in its place (it is signed per ticket and recipient, so no file can hold it).
DESK_ACK = b"<desk-acknowledgement@deskbell.localhost>"


def names(area: str, prefix: str = "") -> list[str]:
    return sorted(p.name for p in (MESSAGES / area).glob(f"{prefix}*.eml"))


def read(area: str, name: str, *, ack: str | None = None) -> bytes:
    raw = (MESSAGES / area / name).read_bytes()
    return raw.replace(DESK_ACK, ack.encode()) if ack else raw


def raw(path: str) -> bytes:
    """One message's bytes by its path under tests/shared/mail/messages ("parts/apple_mail.eml")."""
    return (MESSAGES / path).read_bytes()


def ingest(runner: FlaskCliRunner, raw: bytes) -> tuple[InboundMessage, str]:
    """`flask mail ingest` with the message on standard input: the stored row and what it printed."""
    result = runner.invoke(args=["mail", "ingest"], input=raw)
    assert result.exit_code == 0, result.output
    found = re.match(r"message (\d+): ", result.output)
    assert found, result.output
    return db.session.get(InboundMessage, int(found.group(1)), populate_existing=True), result.output


def run_worker(runner: FlaskCliRunner) -> str:
    """One round of every worker job (`flask worker --once`): what it printed."""
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def ingest_file(runner: FlaskCliRunner, path: str) -> InboundMessage:
    """`flask mail ingest` of a written message by its path: the row it was stored as, processed."""
    row, _output = ingest(runner, raw(path))
    return row
