"""The console's mail pages over HTTP: the inbound log (filters, a message's page, the original
for download, retry, accept, split), held mail on the ticket page for any agent, the outbox with
retry, and the demo's caught mail. Admins only where it is the admin area; nothing is deleted."""

import html
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.access import permissions
from shared.core.clock import utcnow
from shared.mail import catcher, intake
from shared.models import Agent, InboundMessage, InboundState, OutboxMessage, Ticket, TicketParticipant
from shared.outgoing import outbox
from shared.people import accounts
from tests.routes import endpoints
from tests.shared.mail.inbound import compose, deliver, outbox_ids

MAIL_ENDPOINTS = [e for e in endpoints("console") if e[1].startswith("/console/admin/mail/")]
FRAGMENT = {"HX-Request": "true"}


@pytest.fixture
def admin(make_agent) -> Agent:
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


@pytest.fixture
def as_admin(login_as, admin):
    return login_as(admin)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def followed(client, response) -> str:
    """The page a 303 leads to, with what was flashed on the way (its markup kept, for the flash's kind)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    return text_of(client.get(response.headers["Location"]))


def counts(db) -> tuple[int, int]:
    """How many messages were received and queued: actions move them on, never remove one."""
    return (
        db.session.scalar(select(func.count(InboundMessage.id))),
        db.session.scalar(select(func.count(OutboxMessage.id))),
    )


def quarantined(db) -> InboundMessage:
    """Mail from a deactivated customer cannot be processed: kept, with the error, until retried."""
    customer = accounts.create_customer("gone@example.com", name="Gone Gale")
    customer.is_active = False
    db.session.commit()
    inbound = deliver(compose(sender="gone@example.com", subject="Still there?", body="Hello?"))
    assert inbound.state == InboundState.QUARANTINED
    return inbound


@pytest.fixture
def held(db, customer, make_ticket) -> InboundMessage:
    """Carol answers the desk's mail to Alice (Alice forwarded it): not on the ticket, so her mail is
    held. (A subject tag alone from someone not on the ticket is no tag: issue 15.)"""
    ticket = make_ticket(customer, subject="The card reader is dead")
    [ack] = outbox_ids(ticket, customer.email, "ticket_created")
    inbound = deliver(
        compose(
            sender="Carol Chen <carol@example.com>",
            subject=f"Re: [#{ticket.number}] Mine too",
            in_reply_to=ack,
            body="Same here.",
        )
    )
    assert inbound.state == InboundState.HELD and inbound.ticket is ticket
    return inbound


def failed_and_sent(customer, make_ticket) -> tuple[OutboxMessage, OutboxMessage]:
    """A new ticket's mail taken by a worker: the acknowledgement to the customer the server refused
    for good, the notice to the agents it took."""
    make_ticket(customer, subject="The card reader is dead")
    first = outbox.claim_next("worker-1")
    outbox.mark_failed(first, "worker-1", "550 5.1.1 Mailbox unavailable", permanent=True)
    second = outbox.claim_next("worker-1")
    outbox.mark_sent(second, "worker-1", headers=second.headers)
    return first, second


# Who may enter -------------------------------------------------------------------------------


def test_the_guard_tests_cover_every_mail_page():
    paths = {path for _, path in MAIL_ENDPOINTS}
    assert {"/console/admin/mail/inbound", "/console/admin/mail/inbound/1/retry"} <= paths
    assert {"/console/admin/mail/outbox/1/retry", "/console/admin/mail/caught"} <= paths
    assert "/console/mail/held/1/accept" in {path for _, path in endpoints("console")}


@pytest.mark.parametrize(("method", "path"), MAIL_ENDPOINTS)
def test_an_agent_who_is_not_an_admin_finds_no_mail_page(
    client, db, login_as, agent, customer, make_ticket, tmp_path, app, method, path
):
    """404 as for an address that does not exist, with every id in the address real (the
    quarantined message is 1, the first queued mail 1, a caught file by the sample name)."""
    inbound = quarantined(db)
    make_ticket(customer)
    app.config["MAIL_CATCHER_DIR"] = str(tmp_path / "caught")
    (tmp_path / "caught").mkdir()
    (tmp_path / "caught" / "20260101T120000000000-0123abcd.eml").write_bytes(compose())
    before = counts(db)
    login_as(agent)
    response = client.open(path, method=method)
    assert response.status_code == 404
    assert "Still there?" not in text_of(response)
    assert counts(db) == before and inbound.state == InboundState.QUARANTINED


def test_only_admins_see_the_mail_entries_in_the_admin_menu(client, as_admin, app, tmp_path):
    page = text_of(client.get("/console/admin/agents"))
    assert "Inbound mail" in page and "Outbox" in page
    assert "Caught mail" not in page  # the catcher has not run here
    app.config["MAIL_CATCHER_DIR"] = str(tmp_path / "caught")
    catcher.save(tmp_path / "caught", compose())
    assert "Caught mail" in text_of(client.get("/console/admin/agents"))


# The inbound log -----------------------------------------------------------------------------


def test_the_inbound_log_lists_every_message_newest_first_with_its_state_and_ticket(client, db, as_admin, held):
    bad = quarantined(db)
    page = text_of(client.get("/console/admin/mail/inbound"))
    assert page.index("Still there?") < page.index("Mine too")  # newest first
    assert "gone@example.com" in page and "Quarantined" in page and "deactivated" in page
    assert "carol@example.com" in page and "Sender is not on the ticket" in page
    assert f'href="/console/tickets/{held.ticket.number}"' in page
    assert f'href="/console/admin/mail/inbound/{bad.id}"' in page
    assert "2 messages received" in page


def test_the_inbound_log_filters_by_state_and_searches_sender_and_subject(client, db, as_admin, held):
    quarantined(db)
    page = text_of(client.get("/console/admin/mail/inbound?state=quarantined"))
    assert "Still there?" in page and "Mine too" not in page and "1 message matches" in page
    page = text_of(client.get("/console/admin/mail/inbound?state=held"))
    assert "Mine too" in page and "Still there?" not in page
    page = text_of(client.get("/console/admin/mail/inbound?q=CAROL"))
    assert "Mine too" in page and "Still there?" not in page
    page = text_of(client.get("/console/admin/mail/inbound?q=still"))
    assert "Still there?" in page and "Mine too" not in page
    page = text_of(client.get("/console/admin/mail/inbound?state=ignored&q=carol"))
    assert "No message matches" in page
    # An unknown state shows everything rather than nothing.
    page = text_of(client.get("/console/admin/mail/inbound?state=bogus"))
    assert "Still there?" in page and "Mine too" in page


def test_htmx_gets_only_the_list_and_a_plain_request_the_page(client, db, as_admin, held):
    fragment = client.get("/console/admin/mail/inbound?state=held", headers=FRAGMENT)
    body = text_of(fragment)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert body.lstrip().startswith('<div id="mail-list"') and "<html" not in body and "Mine too" in body
    full = text_of(client.get("/console/admin/mail/inbound?state=held"))
    assert "<html" in full and 'id="mail-list"' in full and 'hx-push-url="true"' in full
    assert 'value="held" checked' in full  # the filter shows what it filters


def test_the_inbound_log_pages_through_many_messages(client, db, as_admin):
    for i in range(52):
        intake.receive(compose(subject=f"Message number {i:02d}"), source="pipe")
    first = text_of(client.get("/console/admin/mail/inbound"))
    assert "Message number 51" in first and "Message number 02" in first and "Message number 01" not in first
    assert "Page 1 of 2" in first
    second = text_of(client.get("/console/admin/mail/inbound?page=2&state=pending"))
    assert "Message number 01" in second and "Message number 00" in second and "Message number 02" not in second


def test_a_messages_page_shows_its_headers_error_text_and_actions(client, db, as_admin):
    inbound = quarantined(db)
    page = text_of(client.get(f"/console/admin/mail/inbound/{inbound.id}"))
    assert "Still there?" in page and "gone@example.com" in page and inbound.message_id in page
    assert "deactivated" in page and "Hello?" in page  # the error, and the text
    assert f'action="/console/admin/mail/inbound/{inbound.id}/retry"' in page
    assert f'action="/console/admin/mail/inbound/{inbound.id}/split"' in page  # quarantined mail can become a ticket
    assert "/accept" not in page
    assert client.get("/console/admin/mail/inbound/999").status_code == 404


def test_the_original_downloads_as_a_file_exactly_as_it_arrived(client, db, as_admin):
    inbound = quarantined(db)
    response = client.get(f"/console/admin/mail/inbound/{inbound.id}/original")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=inbound-{inbound.id}.eml"
    assert response.headers["Content-Type"] == "message/rfc822"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.get_data() == intake.raw_bytes(inbound)
    response.close()  # the file it streamed from


def test_retrying_a_quarantined_message_processes_it_once_the_cause_is_fixed(client, db, as_admin, admin):
    inbound = quarantined(db)
    before = counts(db)
    page = followed(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/retry"))
    assert "It failed again and is still quarantined" in page and "deactivated" in page
    assert inbound.state == InboundState.QUARANTINED and inbound.attempts == 2
    accounts.find_customer("gone@example.com").is_active = True
    db.session.commit()
    page = followed(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/retry"))
    assert "Processed: Opened a ticket." in page
    assert inbound.state == InboundState.PROCESSED and inbound.resolved_by == admin and inbound.ticket is not None
    assert counts(db)[0] == before[0]  # the same row, moved on
    page = followed(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/retry"))
    assert "flash--error" in page and inbound.state == InboundState.PROCESSED  # done is done


def test_retrying_a_message_left_pending_processes_it_now(client, db, as_admin):
    """A worker that is not running leaves mail pending; an admin need not wait for it."""
    inbound, _ = intake.receive(compose(subject="Waiting in line"), source="pipe")
    page = text_of(client.get(f"/console/admin/mail/inbound/{inbound.id}"))
    assert f'action="/console/admin/mail/inbound/{inbound.id}/retry"' in page
    followed(client, client.post(f"/console/admin/mail/inbound/{inbound.id}/retry"))
    assert inbound.state == InboundState.PROCESSED and inbound.ticket.subject == "Waiting in line"


def test_an_admin_accepts_held_mail_from_the_log(client, db, as_admin, held):
    ticket = held.ticket
    page = text_of(client.get(f"/console/admin/mail/inbound/{held.id}"))
    assert "carol@example.com wrote to ticket" in page and "Split into a new ticket" in page
    page = followed(client, client.post(f"/console/admin/mail/inbound/{held.id}/accept"))
    assert "Carol Chen is on the ticket now" in page
    assert held.state == InboundState.PROCESSED and held.reason == "accepted"
    assert held.entry.ticket is ticket and held.entry.author.email == "carol@example.com"
    assert db.session.scalar(select(TicketParticipant).where(TicketParticipant.ticket_id == ticket.id)) is not None
    page = followed(client, client.post(f"/console/admin/mail/inbound/{held.id}/accept"))
    assert "not waiting for a decision" in page  # a second click changes nothing


def test_an_admin_splits_held_mail_into_a_new_ticket_from_the_log(client, db, as_admin, held):
    old = held.ticket
    page = followed(client, client.post(f"/console/admin/mail/inbound/{held.id}/split"))
    assert held.ticket is not old and held.ticket.customer.email == "carol@example.com"
    assert f"The message is a new ticket: #{held.ticket.number}." in page
    assert held.state == InboundState.PROCESSED and held.reason == "split"


# Held mail on the ticket page, for any agent ---------------------------------------------------


def test_the_ticket_page_tells_any_agent_about_held_mail(client, login_as, agent, held):
    login_as(agent)
    page = text_of(client.get(f"/console/tickets/{held.ticket.number}"))
    assert "A message from carol@example.com matched this ticket but carol@example.com is not on it." in page
    assert f'action="/console/mail/held/{held.id}/accept"' in page
    assert f'action="/console/mail/held/{held.id}/split"' in page
    assert "In the mail log" not in page  # that link is for admins


def test_any_active_agent_decides_on_held_mail_and_no_customer_does(db, agent, customer, held):
    ticket = held.ticket
    assert permissions.can_decide_held_mail(agent, ticket)
    assert not permissions.can_decide_held_mail(customer, ticket)  # not even the ticket's own customer
    assert not permissions.can_decide_held_mail(None, ticket)
    agent.is_active = False
    assert not permissions.can_decide_held_mail(agent, ticket)


def test_an_agent_accepts_held_mail_on_the_ticket_page(client, db, login_as, agent, held):
    login_as(agent)
    number = held.ticket.number
    response = client.post(f"/console/mail/held/{held.id}/accept")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/console/tickets/{number}#e{held.entry_id}"
    page = followed(client, response)
    assert "Carol Chen is on the ticket now, and their message is posted." in page
    assert "is not on it." not in page and "Same here." in page
    assert held.resolved_by == agent and held.reason == "accepted"


def test_an_agent_splits_held_mail_into_a_new_ticket_on_the_ticket_page(client, db, login_as, agent, held):
    login_as(agent)
    old = held.ticket
    response = client.post(f"/console/mail/held/{held.id}/split")
    assert held.ticket is not old
    assert response.headers["Location"].startswith(f"/console/tickets/{held.ticket.number}")
    assert f"The message is a new ticket: #{held.ticket.number}." in followed(client, response)
    old_page = text_of(client.get(f"/console/tickets/{old.number}"))
    assert "is not on it." not in old_page and f"Held mail split off into #{held.ticket.number}" in old_page


def test_held_mail_actions_are_posts_with_a_csrf_token(app, client, login_as, agent, held):
    login_as(agent)
    assert client.get(f"/console/mail/held/{held.id}/accept").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/console/mail/held/{held.id}/accept").status_code == 400
    assert held.state == InboundState.HELD


def test_a_missing_held_message_is_404(client, login_as, agent):
    login_as(agent)
    assert client.post("/console/mail/held/999/accept").status_code == 404
    assert client.post("/console/mail/held/999/split").status_code == 404


# The outbox ----------------------------------------------------------------------------------


def test_the_outbox_lists_every_message_with_attempts_and_filters_by_state(client, db, as_admin, customer, make_ticket):
    failed, sent = failed_and_sent(customer, make_ticket)
    page = text_of(client.get("/console/admin/mail/outbox"))
    assert failed.subject in page and sent.subject in page and "550 5.1.1 Mailbox unavailable" in page
    number = db.session.get(Ticket, failed.ticket_id).number
    assert "1 attempt" in page and f'href="/console/tickets/{number}"' in page
    page = text_of(client.get("/console/admin/mail/outbox?state=failed"))
    assert failed.subject in page and sent.subject not in page
    page = text_of(client.get("/console/admin/mail/outbox?state=sent"))
    assert sent.subject in page and failed.subject not in page
    page = text_of(client.get("/console/admin/mail/outbox?state=pending"))
    assert failed.subject not in page and sent.subject not in page
    page = text_of(client.get(f"/console/admin/mail/outbox?q={customer.email}"))
    assert failed.subject in page and sent.subject not in page
    fragment = text_of(client.get("/console/admin/mail/outbox?state=failed", headers=FRAGMENT))
    assert fragment.lstrip().startswith('<div id="mail-list"') and failed.subject in fragment


def test_an_outbox_messages_page_shows_its_text_and_a_failed_one_is_sent_again(
    client, db, as_admin, customer, make_ticket
):
    failed, sent = failed_and_sent(customer, make_ticket)
    page = text_of(client.get(f"/console/admin/mail/outbox/{failed.id}"))
    assert failed.body_text.strip().splitlines()[0] in page and failed.message_id in page
    assert "Gave up after 1 attempt." in page and "Send again" in page
    before = counts(db)
    page = followed(client, client.post(f"/console/admin/mail/outbox/{failed.id}/retry"))
    assert f"The message to {customer.email} is queued again" in page
    assert failed.state == "pending" and failed.attempts == 0 and failed.next_attempt_at <= utcnow()
    assert outbox.claim_next("worker-2").id == failed.id  # due now
    assert "Send again" not in text_of(client.get(f"/console/admin/mail/outbox/{sent.id}"))
    page = followed(client, client.post(f"/console/admin/mail/outbox/{sent.id}/retry"))
    assert "already sent" in page and sent.state == "sent"
    assert counts(db) == before


# The demo's caught mail -------------------------------------------------------------------------


def caught_message() -> bytes:
    message = EmailMessage()
    message["From"] = "Deskbell <support@deskbell.localhost>"
    message["To"] = "alice@example.com"
    message["Subject"] = "[#1001] We got your message"
    message["Date"] = "Tue, 01 Dec 2026 15:00:00 +0100"  # with its zone, as mail has
    message.set_content("Hello Alice,\n\nWe have your ticket.")
    message.add_alternative("<p>Hello <b>Alice</b></p><script>alert('boo')</script>", subtype="html")
    return message.as_bytes()


def test_caught_mail_is_listed_and_shown_with_its_html_in_a_sandbox(client, app, as_admin, tmp_path: Path):
    folder = tmp_path / "caught"
    app.config["MAIL_CATCHER_DIR"] = str(folder)
    assert "No mail caught yet" in text_of(client.get("/console/admin/mail/caught"))
    path = catcher.save(folder, caught_message())
    page = text_of(client.get("/console/admin/mail/caught"))
    assert "[#1001] We got your message" in page and "alice@example.com" in page
    response = client.get(f"/console/admin/mail/caught/{path.name}")
    raw = response.get_data(as_text=True)
    assert "Hello Alice," in raw and "We have your ticket." in raw
    assert 'sandbox=""' in raw and "srcdoc=" in raw
    assert "<script>" not in raw and "&lt;script&gt;" in raw  # only inside the sandbox's srcdoc
    assert client.get("/console/admin/mail/caught/..%2Fconfig.py").status_code == 404
    assert client.get("/console/admin/mail/caught/20260101T120000000000-0123abcd.eml").status_code == 404


def test_nothing_on_the_mail_pages_deletes_anything(client, db, as_admin, held, customer, make_ticket):
    """Every action over every message: the rows are all still there afterwards."""
    bad = quarantined(db)
    failed, _ = failed_and_sent(customer, make_ticket)
    received, queued = counts(db)
    client.post(f"/console/admin/mail/inbound/{bad.id}/retry")
    client.post(f"/console/admin/mail/inbound/{held.id}/split")
    client.post(f"/console/admin/mail/outbox/{failed.id}/retry")
    assert counts(db)[0] == received and counts(db)[1] >= queued  # a split ticket queues its own mail
    assert not [path for method, path in endpoints("console") if method == "DELETE"]
