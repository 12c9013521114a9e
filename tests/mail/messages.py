"""The messages written for the intake tests (tests/mail/messages/<area>/<case>.eml, committed byte
for byte), and delivering one as an MTA does: through `flask mail ingest`."""

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select

from shared.extensions import db
from shared.models import InboundMessage

MESSAGES = Path(__file__).parent / "messages"


def raw(name: str) -> bytes:
    """One message's bytes, by its path under tests/mail/messages ("parts/apple_mail.eml")."""
    return (MESSAGES / name).read_bytes()


def ingest(runner: FlaskCliRunner, name: str) -> InboundMessage:
    """Pipe the message into `flask mail ingest`; the row it was stored as, after processing."""
    data = raw(name)
    result = runner.invoke(args=["mail", "ingest"], input=data)
    assert result.exit_code == 0, result.output
    row = db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert row is not None and row.size == len(data)
    return db.session.get(InboundMessage, row.id, populate_existing=True)
