"""`flask --app wsgi demo seed`: realistic data made through the domain verbs, and kept on a second run."""

import struct
import zlib
from collections import defaultdict
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from shared.core.extensions import db
from shared.demo import seed
from shared.models import (
    CHANNELS,
    PRIORITIES,
    TYPES,
    Agent,
    Attachment,
    Customer,
    Entry,
    Organization,
    OutboxMessage,
    Rating,
    Status,
    Ticket,
    utcnow,
)
from shared.people import accounts
from shared.queues import counters
from shared.tickets import canned, properties
from shared.tickets.attachments import blob_path
from tests.conftest import make_app

COUNT = 60


def _seed(runner, count: int = COUNT):
    result = runner.invoke(args=["demo", "seed", "--tickets", str(count)])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def seeded_once(databases, tmp_path_factory):
    """One seeded desk for the read-only tests here, as seeding takes a second or two."""
    app = make_app(databases, tmp_path_factory.mktemp("demo") / "instance")
    with app.app_context():
        _seed(app.test_cli_runner())
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def desk(seeded_once: Flask):
    """The shared seeded app, current for the test; whatever the test changes is rolled back."""
    with seeded_once.app_context():
        yield seeded_once
        db.session.rollback()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(Ticket.number, Ticket.subject, Status.key, Entry.body).join(Ticket.status).join(Ticket.entries)
    )
    return sorted(tuple(row) for row in rows)


def test_tickets_cover_every_status_type_priority_and_channel(desk):
    all_tickets = db.session.scalars(select(Ticket)).all()
    assert len(all_tickets) == COUNT
    statuses = {status.key for status in db.session.scalars(select(Status))}
    assert {t.status.key for t in all_tickets} == statuses
    assert {t.type for t in all_tickets} == set(TYPES)
    assert {t.priority for t in all_tickets} == set(PRIORITIES)
    assert {t.channel for t in all_tickets} == set(CHANNELS)
    assert len({t.department.name for t in all_tickets}) >= 3
    assert any(t.product is not None for t in all_tickets)


def test_the_queue_counters_agree_with_the_seeded_tickets(desk):
    connection = db.session.connection()
    assert counters.stored(connection) == counters.counted_by_tickets(connection)


def test_each_ticket_shows_its_last_public_message_and_writer(desk):
    """What the queue's "updated · by" reads: the last public message of each history (a reply, or the
    desk's own note to the customer), never a later note, event or merge."""
    for ticket in db.session.scalars(select(Ticket)):
        merged_at = next((e.id for e in ticket.entries if e.event == "merged_into"), None)
        said = [
            e
            for e in ticket.entries
            if e.is_public and (e.kind == "message" or (e.event == "note" and (merged_at is None or e.id < merged_at)))
        ]
        message = said[-1]
        author = message.customer or message.agent
        assert (ticket.last_public_at, ticket.last_public_by) == (message.created_at, message.author_kind), (
            ticket.number
        )
        assert ticket.last_public_actor == author and ticket.updated_at >= ticket.last_public_at
        assert ticket.last_public_preview == " ".join(message.body.split())[:200] or not message.body


def test_histories_look_like_real_use(desk):
    entries = db.session.scalars(select(Entry)).all()
    assert any(e.is_note for e in entries)
    assert sum(e.event == "note" for e in entries) >= 1  # rule 7 closed some with a public note
    rules_used = {e.data.get("rule") for e in entries if e.event == "status"}
    assert any(name and name.startswith("5a.") for name in rules_used)  # a customer reopened one
    assert any(name and name.startswith("7.") for name in rules_used)
    assert None in rules_used  # and agents chose statuses themselves
    per_ticket = defaultdict(list)
    for entry in entries:
        per_ticket[entry.ticket_id].append(entry)
    assert all(len(history) >= 2 for history in per_ticket.values())
    assert all(1 <= sum(e.kind == "message" for e in history) <= 8 for history in per_ticket.values())
    org_tickets = db.session.scalars(select(Ticket).join(Ticket.customer).where(Customer.organization_id.isnot(None)))
    assert any(org_tickets)


def test_some_closed_tickets_are_rated_by_their_customer(desk):
    rated = db.session.scalars(select(Rating)).all()
    assert rated
    assert all(r.ticket.status.is_closed and r.customer == r.ticket.customer for r in rated)
    events = db.session.scalars(select(Entry).where(Entry.event == "rating")).all()
    assert {e.ticket_id for e in events} == {r.ticket_id for r in rated}


def test_attachments_are_valid_files(desk):
    attachments = db.session.scalars(select(Attachment)).all()
    assert 10 <= len(attachments) <= COUNT
    kinds = {a.filename.rsplit(".", 1)[-1] for a in attachments}
    assert {"png", "csv", "txt", "pdf"} <= kinds
    for attachment in attachments:
        data = blob_path(attachment.sha256).read_bytes()
        assert len(data) == attachment.size
        assert attachment.created_at == attachment.entry.created_at
        if attachment.filename.endswith(".png"):
            assert attachment.content_type == "image/png"
            _check_png(data)
        elif attachment.filename.endswith(".pdf"):
            assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")


def _check_png(data: bytes) -> None:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(kind + body)
        kinds.append(kind)
        pos += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]
    width, height = struct.unpack(">II", data[16:24])
    assert len(zlib.decompress(data[41 : 41 + struct.unpack(">I", data[33:37])[0]])) == height * (1 + 3 * width)


def test_times_rise_per_ticket_and_stay_in_the_past(desk):
    now = utcnow()
    by_number = db.session.scalars(select(Ticket).order_by(Ticket.number)).all()
    created = [t.created_at for t in by_number]
    assert created == sorted(created)  # numbers follow creation time
    assert created[0] >= now - timedelta(days=61)
    for ticket in by_number:
        times = [e.created_at for e in ticket.entries]
        assert times == sorted(times) and times[0] == ticket.created_at and times[-1] <= now
        messages = [e.created_at for e in ticket.entries if e.kind == "message"]
        assert len(set(messages)) == len(messages)  # each step its own moment
        assert ticket.updated_at == times[-1]
    assert properties.expire_pending() == 0  # nothing left waiting past the timer


def test_past_mail_is_queued_with_links_but_not_sent_again(desk):
    mail = db.session.scalars(select(OutboxMessage)).all()
    assert len(mail) >= COUNT // 2
    assert all(message.state == "sent" and message.sent_at == message.created_at for message in mail)
    agents = set(db.session.scalars(select(Agent.email)))
    for message in mail:
        area = "console" if message.to_addr in agents else "portal"
        assert f"{desk.config['BASE_URL']}/{area}/tickets/" in message.body_text


def test_demo_accounts_can_log_in(desk):
    admin = accounts.authenticate(Agent, seed.admin_email(), seed.DEMO_PASSWORD)
    assert admin is not None and admin.is_admin
    lines = "\n".join(seed.login_lines())
    base = desk.config["BASE_URL"]
    assert f"{base}/console/login" in lines and f"{base}/portal/login" in lines
    customer_email = lines.split("customer", 1)[1].split()[0]
    customer = accounts.authenticate(Customer, customer_email, seed.DEMO_PASSWORD)
    assert customer is not None and customer.organization.sharing
    assert _count(Agent) == 4 and 20 <= _count(Customer) <= 30
    assert db.session.scalar(select(func.count()).where(Organization.sharing.is_(True))) == 1
    assert db.session.scalar(select(func.count()).where(Customer.password_hash.is_(None))) >= 1


def test_shared_canned_replies_fill_in_for_any_agent(desk):
    agent = db.session.scalar(select(Agent).where(Agent.is_admin.is_(False)).limit(1))
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.number).limit(1))
    found = canned.search(agent, "screenshot")
    assert [reply.title for reply in found] == ["Need a screenshot"]
    text = canned.render(found[0], ticket, agent)
    assert ticket.customer.display_name in text and agent.display_name in text and "{" not in text


def test_second_run_keeps_the_data_and_prints_the_logins(runner):
    first = _seed(runner)
    before = (_count(Ticket), _count(Entry), _count(Customer), _count(Agent))
    result = _seed(runner)
    assert "already loaded" in result.output
    assert (_count(Ticket), _count(Entry), _count(Customer), _count(Agent)) == before
    for line in seed.login_lines():
        assert line in first.output and line in result.output


def test_same_data_every_time(desk, databases, tmp_path):
    first = _snapshot()
    other = make_app(databases, tmp_path / "other")
    with other.app_context():
        _seed(other.test_cli_runner())
        assert _snapshot() == first
        db.session.remove()
        db.engine.dispose()


def test_progress_is_reported_per_ticket(app):
    steps = []
    seed.seed(7, progress=steps.append)
    assert steps == [1] * 7
    assert _count(Ticket) == 7
