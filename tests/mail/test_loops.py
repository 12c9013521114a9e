"""Loops and noise: automatic mail is never acknowledged, bounces land on their ticket as notes,
a sender over the rate limit is kept but not processed, and failures are quarantined, never lost."""

import pytest
from sqlalchemy import func, select

from shared import accounts, customers, mail_intake, tickets
from shared.errors import DomainError
from shared.extensions import db
from shared.models import InboundState, OutboxMessage, Ticket, Visibility
from tests.mail.inbound import DESK, compose, deliver, history, outbox_ids


def acknowledgements() -> list[str]:
    query = select(OutboxMessage.to_addr).where(OutboxMessage.template == "ticket_created")
    return list(db.session.scalars(query))


def ticket_count() -> int:
    return db.session.scalar(select(func.count(Ticket.id)))


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated (vacation)"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"Precedence": "auto_reply"},
        {"Return-Path": "<>"},
    ],
)
def test_an_auto_reply_that_answers_no_ticket_is_kept_but_opens_none(db, headers):
    inbound = deliver(compose(subject="Out of office", headers=headers))
    assert inbound.state == InboundState.IGNORED and inbound.reason == "auto_reply"
    assert ticket_count() == 0 and acknowledgements() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"List-Id": "<news.example.com>"},
        {"List-Unsubscribe": "<mailto:leave@example.com>"},
        {"X-Auto-Response-Suppress": "OOF, AutoReply"},
        {"Auto-Submitted": "no"},  # a person, who says so: acknowledged
    ],
)
def test_list_and_bulk_mail_opens_a_ticket_without_an_acknowledgement(db, headers):
    inbound = deliver(compose(headers=headers))
    assert inbound.reason == "new_ticket"
    wanted = ["alice@example.com"] if headers == {"Auto-Submitted": "no"} else []
    assert acknowledgements() == wanted


def test_a_normal_mail_is_acknowledged(db):
    deliver(compose())
    assert acknowledgements() == ["alice@example.com"]


def test_open_ticket_can_keep_the_rules_from_mailing_the_customer(db, customer, agent, department):
    """The switch intake uses: rule 1 still sets the status and agents still hear of the ticket."""
    ticket = tickets.open_ticket(
        actor=customer, customer=customer, subject="Quiet", body="Hi", department=department, notify_customer=False
    )
    db.session.commit()
    assert ticket.status.key == "new" and acknowledgements() == []
    assert outbox_ids(ticket, agent.email, "agent_new_ticket")


def _dsn(original_id: str, *, action: str = "failed") -> bytes:
    """A Postfix-style delivery status notification about the desk's message `original_id`."""
    return (
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n"
        f"To: {DESK}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "Message-ID: <bounce-1@mx.example.com>\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "MIME-Version: 1.0\r\n\r\n"
        "--B\r\nContent-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; alice@example.com\r\nAction: {action}\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {DESK}\r\nTo: alice@example.com\r\nSubject: [#1001] Your request\r\nMessage-ID: {original_id}\r\n\r\n"
        "--B--\r\n"
    ).encode()


def test_a_bounce_of_the_desks_mail_is_an_internal_note_on_its_ticket(db):
    ticket = deliver(compose()).ticket
    [ack] = outbox_ids(ticket, "alice@example.com", "ticket_created")
    status_before, entries_before = ticket.status.key, len(history(ticket))
    inbound = deliver(_dsn(ack))
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "bounce" and inbound.ticket is ticket
    note = inbound.entry
    assert note.visibility == Visibility.INTERNAL and note.event == "mail_bounce" and note.author is None
    assert "could not be delivered" in note.body
    assert [a.filename for a in note.attachments] == ["original.eml"]
    assert len(history(ticket)) == entries_before + 1 and ticket.status.key == status_before
    assert ticket_count() == 1 and acknowledgements() == ["alice@example.com"]


def test_a_bounce_of_mail_the_desk_never_sent_is_ignored(db):
    inbound = deliver(_dsn("<not-ours@somewhere.example>"))
    assert inbound.state == InboundState.IGNORED and inbound.reason == "bounce"
    assert ticket_count() == 0


def test_an_out_of_office_answer_to_the_desk_is_a_note_and_changes_nothing(db, agent):
    ticket = deliver(compose()).ticket
    [ack] = outbox_ids(ticket, "alice@example.com", "ticket_created")
    inbound = deliver(
        compose(
            subject="Automatic reply: [#1001] The printer is on fire",
            in_reply_to=ack,
            headers={"Auto-Submitted": "auto-replied"},
            body="I am away until Monday.",
        )
    )
    assert inbound.reason == "auto_reply" and inbound.entry.event == "mail_auto_reply"
    assert not inbound.entry.is_public and ticket.last_public_by == "customer"
    assert len(outbox_ids(ticket, "alice@example.com")) == 1  # only the acknowledgement, ever


def test_mail_from_the_desks_own_address_is_ignored(db):
    inbound = deliver(compose(sender=DESK, to="alice@example.com"))
    assert inbound.state == InboundState.IGNORED and inbound.reason == "own_address"


def test_a_sender_over_the_rate_limit_is_kept_but_not_processed_then_an_admin_retries(app, db, make_agent):
    """Two auto-responders answering each other would trade mail forever: the limit breaks it."""
    app.config["MAIL_SENDER_LIMIT_PER_HOUR"] = 3
    rows = [deliver(compose(sender="robot@loop.example", subject=f"Re: Re: hello {i}")) for i in range(5)]
    assert [r.state for r in rows] == ["processed"] * 3 + ["quarantined"] * 2
    assert rows[3].reason == "rate_limited" and "robot@loop.example" in rows[3].error
    assert ticket_count() == 3 and acknowledgements().count("robot@loop.example") == 3
    assert deliver(compose(sender="someone@else.example")).state == InboundState.PROCESSED  # others unaffected
    admin = make_agent(is_admin=True)
    retried = mail_intake.retry(rows[4], actor=admin)
    assert retried.state == InboundState.PROCESSED and retried.resolved_by is admin and ticket_count() == 5


def test_a_message_that_cannot_be_processed_is_quarantined_with_its_error_and_retried(db, make_agent):
    customers.find_or_add("gone@example.com", actor=None).is_active = False
    db.session.commit()
    inbound = deliver(compose(sender="gone@example.com"))
    assert inbound.state == InboundState.QUARANTINED and inbound.reason == "error"
    assert "deactivated" in inbound.error and inbound.attempts == 1
    assert mail_intake.raw_bytes(inbound).startswith(b"From: gone@example.com")  # kept as it came
    agent, admin = make_agent(), make_agent(is_admin=True)
    with pytest.raises(DomainError):
        mail_intake.retry(inbound, actor=agent)  # admins only
    accounts.find_customer("gone@example.com").is_active = True
    db.session.commit()
    assert mail_intake.retry(inbound, actor=admin).state == InboundState.PROCESSED
    with pytest.raises(DomainError):
        mail_intake.retry(inbound, actor=admin)  # only quarantined mail


def test_a_message_without_a_sender_is_quarantined(db):
    inbound = deliver(b"Subject: who am I\r\n\r\nNobody knows.\r\n")
    assert inbound.state == InboundState.QUARANTINED and "sender" in inbound.error


def test_empty_input_is_not_stored(db):
    with pytest.raises(mail_intake.EmptyMessage):
        mail_intake.receive(b" \r\n", source="pipe")
