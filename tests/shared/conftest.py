"""Fixtures for the domain tests."""

import pytest

from shared.models import Ticket
from shared.tickets import properties
from tests.shared.mail.conftest import smtp_server  # noqa: F401  (the recording SMTP server: mail, delivery, worker)
from tests.shared.tickets.rulekit import status


@pytest.fixture
def put_in(db, agent):
    """Move a ticket to a status the way an agent would, through `change_status`."""

    def put(ticket: Ticket, key: str) -> Ticket:
        if ticket.status.key != key:
            properties.change_status(ticket, status(key), actor=agent)
        db.session.commit()
        assert ticket.status.key == key
        return ticket

    return put
