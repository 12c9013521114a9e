"""Who may see which tickets, entries and attachments; lookups answer None (404) otherwise."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from shared.access import permissions
from shared.core.clock import frozen_at, utcnow
from shared.core.extensions import db
from shared.models import Agent, Attachment, Customer, Entry, Organization, Ticket
from shared.tickets import assignment, conversation, properties, rules
from shared.tickets.attachments import Upload


@dataclass
class Desk:
    """One ticket by `owner` of Acme, with a public file, an internal note with a file, and everyone around it."""

    ticket: Ticket
    public_file: Attachment
    agent_file: Attachment
    internal_file: Attachment
    accounts: dict[str, Customer | Agent | None]


@pytest.fixture
def desk(make_customer, make_agent, make_ticket, db) -> Desk:
    # No passwords: nobody logs in here, and argon2 hashing is deliberately slow.
    make_customer = partial(make_customer, password=None)
    make_agent = partial(make_agent, password=None)
    owner = make_customer("owner@acme.example", organization="Acme")
    colleague = make_customer("colleague@acme.example", organization="Acme")
    outsider = make_customer("outsider@other.example", organization="Other Co")
    outsider.organization.sharing = True
    stranger = make_customer("stranger@example.com")
    former = make_customer("left@acme.example", organization="Acme")
    former.is_active = False
    agent = make_agent("agent@desk.example")
    inactive_agent = make_agent("gone@desk.example")
    inactive_agent.is_active = False
    admin = make_agent("admin@desk.example", is_admin=True)

    ticket = make_ticket(owner, uploads=[Upload("screenshot.png", b"\x89PNG\r\n\x1a\npublic")])
    reply = conversation.post_reply(ticket, actor=agent, body="Try this.", uploads=[Upload("fix.txt", b"fix")])
    note = conversation.add_internal_note(
        ticket, actor=agent, body="Customer is on a pirated copy.", uploads=[Upload("licence-audit.txt", b"audit")]
    )
    assignment.assign_ticket(ticket, agent, actor=agent)
    db.session.commit()
    return Desk(
        ticket=ticket,
        public_file=ticket.entries[0].attachments[0],
        agent_file=reply.attachments[0],
        internal_file=note.attachments[0],
        accounts={
            "owner": owner,
            "colleague": colleague,
            "outsider": outsider,
            "stranger": stranger,
            "inactive colleague": former,
            "agent": agent,
            "admin": admin,
            "inactive agent": inactive_agent,
            "anonymous": None,
        },
    )


def set_sharing(desk: Desk, on: bool) -> None:
    desk.accounts["owner"].organization.sharing = on
    db.session.commit()


AGENTS = {"agent", "admin"}
# Who sees the ticket, with the organization's sharing off and on.
SEES = {
    False: {"owner"} | AGENTS,
    True: {"owner", "colleague"} | AGENTS,
}
EVERYONE = [
    "owner",
    "colleague",
    "outsider",
    "stranger",
    "inactive colleague",
    "agent",
    "admin",
    "inactive agent",
    "anonymous",
]


@pytest.mark.parametrize("sharing", [False, True], ids=["sharing off", "sharing on"])
@pytest.mark.parametrize("who", EVERYONE)
def test_who_sees_the_ticket(desk, who, sharing):
    set_sharing(desk, sharing)
    account, ticket = desk.accounts[who], desk.ticket
    expected = who in SEES[sharing]

    assert permissions.can_view_ticket(account, ticket) is expected
    assert permissions.can_reply(account, ticket) is expected
    assert (permissions.find_ticket(account, ticket.number) is ticket) is expected
    listed = db.session.scalars(permissions.visible_tickets(account)).all()
    assert (ticket in listed) is expected


@pytest.mark.parametrize("sharing", [False, True], ids=["sharing off", "sharing on"])
@pytest.mark.parametrize("who", EVERYONE)
def test_who_gets_which_attachment(desk, who, sharing):
    set_sharing(desk, sharing)
    account, number = desk.accounts[who], desk.ticket.number
    sees_ticket = who in SEES[sharing]

    assert (permissions.find_attachment(account, number, desk.public_file.id) is desk.public_file) is sees_ticket
    assert (permissions.find_attachment(account, number, desk.agent_file.id) is desk.agent_file) is sees_ticket
    # Files on internal notes are for agents only, whoever else may see the ticket.
    assert (permissions.find_attachment(account, number, desk.internal_file.id) is desk.internal_file) is (
        who in AGENTS
    )
    assert permissions.can_view_attachment(account, desk.internal_file) is (who in AGENTS)


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_customers_never_see_internal_entries(desk, who):
    set_sharing(desk, True)
    account, ticket = desk.accounts[who], desk.ticket
    internal = [e for e in ticket.entries if not e.is_public]
    assert {e.event for e in internal} >= {None, "assignment", "status"}  # a note and system events

    for entry in ticket.entries:
        assert permissions.can_view_entry(account, entry) is entry.is_public
    assert permissions.public_entries(ticket) == [e for e in ticket.entries if e.is_public]
    assert not set(permissions.public_entries(ticket)) & set(internal)
    assert all(permissions.can_view_entry(desk.accounts["agent"], e) for e in ticket.entries)


def test_a_public_system_note_is_visible_to_the_customer(desk):
    owner, agent, ticket = desk.accounts["owner"], desk.accounts["agent"], desk.ticket
    properties.change_status(ticket, rules.status_by_key("waiting"), actor=agent)
    with frozen_at(utcnow() + timedelta(days=30)):
        assert properties.expire_pending() == 1

    [note] = [e for e in permissions.public_entries(ticket) if e.is_event]
    assert note.author_kind == "system"
    assert permissions.can_view_entry(owner, note)


def test_an_attachment_is_only_found_through_its_own_ticket(desk, make_ticket):
    """Guessing ids: a file from another ticket is not served under a ticket one may see."""
    owner, agent = desk.accounts["owner"], desk.accounts["agent"]
    other = make_ticket(desk.accounts["stranger"], uploads=[Upload("secret.pdf", b"%PDF stranger's")])
    secret = other.entries[0].attachments[0]

    assert permissions.find_attachment(owner, desk.ticket.number, secret.id) is None
    assert permissions.find_attachment(agent, desk.ticket.number, secret.id) is None
    assert permissions.find_attachment(agent, other.number, secret.id) is secret
    assert permissions.find_attachment(owner, other.number, secret.id) is None


def test_unknown_numbers_and_ids_find_nothing(desk):
    agent, number = desk.accounts["agent"], desk.ticket.number
    missing = db.session.scalar(select(db.func.max(Attachment.id))) + 1

    assert permissions.find_ticket(agent, number + 100) is None
    assert permissions.find_attachment(agent, number, missing) is None
    assert permissions.find_attachment(agent, number + 100, desk.public_file.id) is None


def test_an_internal_task_is_for_agents_only(desk, department):
    agent = desk.accounts["agent"]
    task = conversation.open_ticket(
        actor=agent, customer=None, subject="Renew cert", body="Soon.", department=department
    )
    db.session.commit()

    for who, account in desk.accounts.items():
        assert permissions.can_view_ticket(account, task) is (who in AGENTS), who
        assert (permissions.find_ticket(account, task.number) is task) is (who in AGENTS), who


def test_leaving_the_organization_ends_the_sharing(desk):
    set_sharing(desk, True)
    colleague = desk.accounts["colleague"]
    assert permissions.find_ticket(colleague, desk.ticket.number) is desk.ticket

    colleague.organization = None
    db.session.commit()

    assert permissions.find_ticket(colleague, desk.ticket.number) is None
    assert not permissions.can_view_ticket(colleague, desk.ticket)


def test_the_owner_keeps_their_tickets_when_sharing_is_off(desk):
    set_sharing(desk, False)
    colleague = desk.accounts["colleague"]
    own = conversation.open_ticket(
        actor=colleague, customer=colleague, subject="Mine", body="Mine.", department=desk.ticket.department
    )
    db.session.commit()

    assert db.session.scalars(permissions.visible_tickets(colleague)).all() == [own]
    assert db.session.scalars(permissions.visible_tickets(desk.accounts["owner"])).all() == [desk.ticket]


@pytest.mark.parametrize("who", EVERYONE)
def test_only_active_admins_administer(desk, who):
    assert permissions.can_administer(desk.accounts[who]) is (who == "admin")


def test_an_organization_is_shared_only_when_switched_on(desk):
    org = db.session.scalar(select(Organization).where(Organization.name == "Acme"))
    assert org.sharing is False  # the default a new organization gets
    assert {m.email for m in org.members} == {"owner@acme.example", "colleague@acme.example", "left@acme.example"}


def test_entries_of_a_ticket_one_cannot_see_are_hidden_even_if_public(desk):
    stranger = desk.accounts["stranger"]
    for entry in db.session.scalars(select(Entry).where(Entry.ticket_id == desk.ticket.id)):
        assert not permissions.can_view_entry(stranger, entry)


def test_a_customer_cannot_file_a_ticket_for_someone_else(make_customer, department, db):
    from shared.core.errors import DomainError
    from shared.tickets import conversation

    alice, mallory = make_customer(), make_customer()
    with pytest.raises(DomainError, match="someone else"):
        conversation.open_ticket(actor=mallory, customer=alice, department=department, subject="Hi", body="x")


def test_agents_mark_themselves_away_and_admins_anyone(make_agent, customer):
    bea, carol = make_agent(name="Bea"), make_agent(name="Carol")
    admin = make_agent(name="Ada", is_admin=True)
    assert permissions.can_set_away(bea, bea) and not permissions.can_set_away(bea, carol)
    assert permissions.can_set_away(admin, carol)
    assert not permissions.can_set_away(customer, bea) and not permissions.can_set_away(None, bea)
    admin.is_active = False
    assert not permissions.can_set_away(admin, carol)
