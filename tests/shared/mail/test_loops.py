"""Loops and noise: automatic mail is never acknowledged, bounces land on their ticket as notes,
a sender over the rate limit is kept but not processed, and failures are quarantined, never lost."""

import html

import pytest
from sqlalchemy import func, select

from shared.core.config import ConfigError
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.delivery import sending
from shared.mail import intake
from shared.models import InboundMessage, InboundState, OutboxMessage, Ticket, Visibility
from shared.people import accounts, customers
from shared.tickets import conversation
from tests.conftest import make_app
from tests.shared.mail.eml import ingest, read
from tests.shared.mail.inbound import DESK, compose, deliver, history, outbox_ids
from tests.shared.tickets.rulekit import at


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
    ticket = conversation.open_ticket(
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
    retried = intake.retry(rows[4], actor=admin)
    assert retried.state == InboundState.PROCESSED and retried.resolved_by is admin and ticket_count() == 5


def test_a_message_that_cannot_be_processed_is_quarantined_with_its_error_and_retried(db, make_agent):
    customers.find_or_add("gone@example.com", actor=None).is_active = False
    db.session.commit()
    inbound = deliver(compose(sender="gone@example.com"))
    assert inbound.state == InboundState.QUARANTINED and inbound.reason == "error"
    assert "deactivated" in inbound.error and inbound.attempts == 1
    assert intake.raw_bytes(inbound).startswith(b"From: gone@example.com")  # kept as it came
    agent, admin = make_agent(), make_agent(is_admin=True)
    with pytest.raises(DomainError):
        intake.retry(inbound, actor=agent)  # admins only
    accounts.find_customer("gone@example.com").is_active = True
    db.session.commit()
    assert intake.retry(inbound, actor=admin).state == InboundState.PROCESSED
    with pytest.raises(DomainError):
        intake.retry(inbound, actor=admin)  # only quarantined mail


def test_a_message_without_a_sender_is_quarantined(db):
    inbound = deliver(b"Subject: who am I\r\n\r\nNobody knows.\r\n")
    assert inbound.state == InboundState.QUARANTINED and "sender" in inbound.error


def test_empty_input_is_not_stored(db):
    with pytest.raises(intake.EmptyMessage):
        intake.receive(b" \r\n", source="pipe")


# --- a responder that looks like a person, and the acknowledgements per address (issue 15) ------

ROBOT = "sales@acme-robot.example"


def robot_mail(round_number: int) -> bytes:
    """The responder's mail (tests/shared/mail/messages/loops/robot_en.eml): no Auto-Submitted, no thread
    headers, a subject of its own, words no out-of-office detection knows; a new Message-ID each time."""
    return read("loops", "robot_en.eml").replace(b"ROUND", str(round_number).encode())


def run_loop(runner, smtp_server, *, rounds: int = 40) -> int:
    """The responder writes once, then answers every mail the desk sends it, through real SMTP,
    until the desk stops mailing it; how many answers it sent."""
    ingest(runner, robot_mail(0))
    answered = 0
    while answered < rounds:
        sending.deliver_due()
        to_robot = [r for r in smtp_server.handler.received if ROBOT in r.rcpt_tos]
        smtp_server.handler.received.clear()
        if not to_robot:
            break
        for _message in to_robot:
            answered += 1
            ingest(runner, robot_mail(answered))
    return answered


def test_a_responder_answering_every_acknowledgement_stops_long_before_twenty_tickets(app, runner, db, smtp_server):
    assert app.config["MAIL_ACKNOWLEDGEMENT_LIMIT"] == "5 per hour; 10 per day"
    with at(0):
        answered = run_loop(runner, smtp_server)
    assert ticket_count() == 6 and answered == 5  # five acknowledged, the sixth opened in silence
    rows = list(db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)))
    assert [r.reason for r in rows] == ["new_ticket"] * 5 + ["new_ticket_unacknowledged"]
    quiet = rows[-1].ticket
    assert history(quiet)[-1].event == "mail_not_acknowledged"
    assert history(quiet)[-1].data == {"address": ROBOT, "limit": "5 per hour; 10 per day"}
    assert acknowledgements().count(ROBOT) == 5


def test_without_the_acknowledgement_limit_only_the_sender_limit_ends_it_at_twenty(app, runner, db, smtp_server):
    """What the limit prevents: the hourly sender limit alone lets the loop make twenty tickets."""
    app.config["MAIL_ACKNOWLEDGEMENT_LIMIT"] = ""
    with at(0):
        run_loop(runner, smtp_server)
    assert ticket_count() == 20
    assert db.session.scalar(select(InboundMessage.reason).order_by(InboundMessage.id.desc())) == "rate_limited"


def test_the_acknowledgement_limit_counts_per_address_and_per_window(app, runner, db, smtp_server):
    """Every new ticket that would be acknowledged counts, the silent ones too: a sender who keeps
    writing past the hourly limit uses up the day's."""
    app.config["MAIL_ACKNOWLEDGEMENT_LIMIT"] = "2 per hour; 4 per day"
    with at(0):
        rows = [ingest(runner, compose(subject=f"Question {i}"))[0] for i in range(3)]
        other = ingest(runner, compose(sender="bob@example.com"))[0]
    assert [r.reason for r in rows] == ["new_ticket", "new_ticket", "new_ticket_unacknowledged"]
    assert other.reason == "new_ticket"  # others are not touched
    with at(0, hours=1):  # a new hour: the fourth of the day
        assert ingest(runner, compose(subject="Later"))[0].reason == "new_ticket"
    with at(0, hours=2):
        assert ingest(runner, compose(subject="Even later"))[0].reason == "new_ticket_unacknowledged"
    with at(1, hours=2):  # the next day
        assert ingest(runner, compose(subject="Tomorrow"))[0].reason == "new_ticket"
    assert acknowledgements() == ["alice@example.com"] * 2 + ["bob@example.com"] + ["alice@example.com"] * 2
    sending.deliver_due()
    assert len([r for r in smtp_server.handler.received if "alice@example.com" in r.rcpt_tos]) == 4


def test_automatic_and_list_mail_use_up_no_acknowledgements(app, runner, db):
    app.config["MAIL_ACKNOWLEDGEMENT_LIMIT"] = "1 per hour"
    with at(0):
        assert ingest(runner, compose(headers={"Precedence": "bulk"}))[0].reason == "new_ticket"
        assert ingest(runner, compose(subject="A real question"))[0].reason == "new_ticket"
    assert acknowledgements() == ["alice@example.com"]


def test_the_mail_log_and_the_ticket_say_the_sender_was_not_told(app, runner, db, client, login_as, make_agent):
    app.config["MAIL_ACKNOWLEDGEMENT_LIMIT"] = "1 per hour"
    with at(0):
        ingest(runner, compose(subject="One"))
        quiet = ingest(runner, compose(subject="Two"))[0]
    login_as(make_agent(is_admin=True))
    log_page = client.get(f"/console/admin/mail/inbound/{quiet.id}").get_data(as_text=True)
    assert "Opened a ticket, not acknowledged: too many acknowledgements to the sender" in log_page
    ticket_page = html.unescape(client.get(f"/console/tickets/{quiet.ticket.number}").get_data(as_text=True))
    assert (
        "Not acknowledged: alice@example.com was sent more acknowledgements than the limit (1 per hour)" in ticket_page
    )


def test_a_limit_that_cannot_be_read_stops_the_desk_from_starting(databases, tmp_path):
    with pytest.raises(ConfigError, match="MAIL_ACKNOWLEDGEMENT_LIMIT"):
        make_app(databases, tmp_path / "instance", MAIL_ACKNOWLEDGEMENT_LIMIT="plenty")
