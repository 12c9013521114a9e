"""Signed Message-IDs and the store of every ID sent or received."""

import pytest

from shared.mime import headers
from shared.models import MailMessageId
from shared.outgoing import message_ids


@pytest.fixture
def ticket(customer, make_ticket):
    return make_ticket(customer)


ALICE = "alice@example.com"


def test_a_signed_id_names_its_ticket_and_entry_for_its_recipient(ticket):
    entry = ticket.entries[0]
    message_id = message_ids.sign(ticket, entry, ALICE)
    assert message_ids.verify(message_id, ALICE) == (ticket.id, entry.id)
    assert message_ids.verify(message_id, " Alice@Example.COM ") == (ticket.id, entry.id)  # addresses ignore case
    assert message_ids.verify(message_id.strip("<>"), ALICE) == (ticket.id, entry.id)  # brackets lost on the way
    assert message_ids.verify(f"  {message_id.upper()}\r\n", ALICE) == (ticket.id, entry.id)  # case and folding
    assert message_ids.verify(message_ids.sign(ticket, None, ALICE), ALICE) == (ticket.id, None)
    assert len(f"In-Reply-To: {message_id}") <= 78  # fits one header line


def test_a_signed_id_proves_nothing_for_anyone_but_its_recipient(ticket):
    message_id = message_ids.sign(ticket, ticket.entries[0], ALICE)
    for other in ("bob@deskbell.localhost", "alice@example.co", "", "alice@example.com.evil.test"):
        assert message_ids.verify(message_id, other) is None


def test_a_signed_id_survives_a_change_of_domain_but_not_of_key(app, ticket):
    message_id = message_ids.sign(ticket, ticket.entries[0], ALICE)
    moved = message_id.replace("@deskbell.localhost>", "@help.example.com>")
    assert message_ids.verify(moved, ALICE) == (ticket.id, ticket.entries[0].id)
    app.config["SECRET_KEY"] = "another-secret"
    assert message_ids.verify(message_id, ALICE) is None


def test_forged_foreign_and_first_format_ids_do_not_verify(ticket):
    message_id = message_ids.sign(ticket, ticket.entries[0], ALICE)
    prefix, ticket_part, rest = message_id.split(".", 2)
    other_ticket = f"{prefix}.{int(ticket_part) + 1}.{rest}"
    local, _, domain = message_id.partition("@")
    other_signature = local[:-1] + ("b" if local[-1] != "b" else "c") + "@" + domain
    first_format = "<db." + message_id.split(".", 1)[1]  # the recipient-less IDs the desk signed before
    for forged in (other_ticket, other_signature, first_format, "<dbr.1.1.aaaaaaaa.aaaaaaaaaaaaaaaa@x>", ""):
        assert message_ids.verify(forged, ALICE) is None
    assert message_ids.verify("<CAHk-abc123@mail.gmail.com>", ALICE) is None


def test_tickets_sent_to_an_address_by_signature_or_by_the_outbox(ticket, outbox, db):
    [ack] = outbox()  # the acknowledgement to the ticket's customer
    customer = ticket.customer.email
    assert message_ids.tickets_sent_to([ack.message_id], customer) == {ticket.id}
    assert message_ids.tickets_sent_to([ack.message_id], "bob@deskbell.localhost") == set()
    # An ID of the first format, known only from the outbox row of the mail it went out with.
    ack.message_id = "<db.7.7.aaaaaaaa.bbbbbbbbbbbbbbbb@deskbell.localhost>"
    db.session.flush()
    assert message_ids.tickets_sent_to(["<x@y>", ack.message_id], customer.upper()) == {ticket.id}
    assert message_ids.tickets_sent_to([ack.message_id], "mallory@example.com") == set()
    assert (
        message_ids.tickets_sent_to([], customer) == set()
        and message_ids.tickets_sent_to([ack.message_id], "") == set()
    )


def test_remember_and_find(ticket, db):
    first = message_ids.remember("<a@mail.example.com>", ticket, ticket.entries[0], "in")
    message_ids.remember(" b@mail.example.com ", ticket, None, "in")
    again = message_ids.remember("<a@mail.example.com>", ticket, None, "out")
    db.session.commit()
    assert again is first and (first.direction, first.entry_id) == ("in", ticket.entries[0].id)
    assert db.session.query(MailMessageId).count() == 2 + 1  # and the acknowledgement's own ID
    found = message_ids.find(["<unknown@x>", "b@mail.example.com", "<a@mail.example.com>"])
    assert found.message_id == "<b@mail.example.com>" and found.ticket is ticket
    assert message_ids.find(["<unknown@x>"]) is None and message_ids.find([]) is None


def test_every_queued_ticket_mail_is_remembered_as_sent(ticket, outbox, db):
    [ack] = outbox()
    stored = message_ids.find([ack.message_id])
    assert (stored.ticket_id, stored.entry_id, stored.direction) == (ticket.id, ticket.entries[0].id, "out")


def test_a_direction_is_in_or_out(ticket):
    with pytest.raises(ValueError):
        message_ids.remember("<x@y>", ticket, None, "sideways")


def test_ids_in_a_header():
    header = "<a@x.example>\r\n <b@y.example> junk <c@z.example>"
    assert headers.ids_in(header) == ["<a@x.example>", "<b@y.example>", "<c@z.example>"]
    assert headers.ids_in(None) == []
