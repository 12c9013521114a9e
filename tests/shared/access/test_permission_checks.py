"""The permissions the ticket verbs ask instead of checking the actor's kind themselves: each answers
for every kind of account, and the verb refuses (with its own message and field) when it says no."""

from functools import partial

import pytest

from shared.access import permissions
from shared.core.errors import DomainError
from shared.mail import intake
from shared.models import Agent, Customer, InboundMessage
from shared.tickets import conversation, participants, properties
from tests.shared.tickets.rulekit import status


@pytest.fixture
def accounts(make_customer, make_agent, make_ticket, db) -> dict:
    make_customer = partial(make_customer, password=None)
    make_agent = partial(make_agent, password=None)
    owner = make_customer("owner@example.com")
    inactive_agent = make_agent("gone@desk.example")
    inactive_agent.is_active = False
    db.session.commit()
    return {
        "owner": owner,
        "stranger": make_customer("stranger@example.com"),
        "agent": make_agent("agent@desk.example"),
        "admin": make_agent("admin@desk.example", is_admin=True),
        "inactive agent": inactive_agent,
        "anonymous": None,
    }


@pytest.fixture
def ticket(accounts, make_ticket):
    return make_ticket(accounts["owner"])


def who(accounts: dict, answer) -> set[str]:
    return {name for name, account in accounts.items() if answer(account)}


def test_any_agent_changes_a_status(accounts):
    # Whether they are active is asked where they reach the ticket (find_ticket, can_reply).
    assert who(accounts, permissions.can_change_status) == {"agent", "admin", "inactive agent"}


def test_a_customer_opens_tickets_for_themselves_only(accounts):
    owner = accounts["owner"]
    assert who(accounts, lambda a: permissions.can_open_ticket_for(a, owner)) == set(accounts) - {"stranger"}
    assert who(accounts, lambda a: permissions.can_open_ticket_for(a, None)) == {
        "agent",
        "admin",
        "inactive agent",
        "anonymous",
    }


def test_internal_notes_are_for_active_agents(accounts, ticket):
    assert who(accounts, lambda a: permissions.can_add_internal_note(a, ticket)) == {"agent", "admin"}


def test_held_mail_is_decided_by_active_agents_on_a_ticket_or_none(accounts, ticket):
    for on in (ticket, None):
        assert who(accounts, lambda a, on=on: permissions.can_decide_held_mail(a, on)) == {"agent", "admin"}


def test_only_an_agent_brings_back_a_removed_participant(accounts):
    assert who(accounts, permissions.can_bring_back_participant) == {"agent", "admin", "inactive agent"}


# --- The verbs ask -----------------------------------------------------------------------------


def refuse(monkeypatch, name: str) -> None:
    monkeypatch.setattr(permissions, name, lambda *args: False)


def test_change_status_and_a_reply_with_a_status_ask_can_change_status(monkeypatch, accounts, ticket):
    refuse(monkeypatch, "can_change_status")
    agent = accounts["agent"]
    with pytest.raises(DomainError, match=r"Only agents can change the status\.") as refused:
        properties.change_status(ticket, status("closed"), actor=agent)
    assert refused.value.field == "status"
    with pytest.raises(DomainError, match=r"Only agents can change the status\."):
        conversation.post_reply(ticket, actor=agent, body="Done.", status=status("closed"))
    assert ticket.status.key == "new"


def test_open_ticket_asks_can_open_ticket_for(monkeypatch, accounts, department):
    refuse(monkeypatch, "can_open_ticket_for")
    owner = accounts["owner"]
    with pytest.raises(DomainError, match=r"You cannot file a ticket for someone else\."):
        conversation.open_ticket(actor=owner, customer=owner, subject="Hi", body="Hello.", department=department)


def test_add_internal_note_asks_can_add_internal_note(monkeypatch, accounts, ticket):
    refuse(monkeypatch, "can_add_internal_note")
    with pytest.raises(DomainError, match=r"Only agents can write internal notes\."):
        conversation.add_internal_note(ticket, actor=accounts["agent"], body="Psst.")


def test_a_removed_participant_comes_back_only_if_the_actor_may_bring_them_back(monkeypatch, accounts, ticket, db):
    agent = accounts["agent"]
    colleague = participants.put_on(ticket, "colleague@example.com", actor=agent)
    participants.row_of(ticket, colleague).removed_at = ticket.created_at
    refuse(monkeypatch, "can_bring_back_participant")
    participants.put_on(ticket, colleague.email, actor=agent)
    assert participants.row_of(ticket, colleague).removed_at is not None
    monkeypatch.undo()
    participants.put_on(ticket, colleague.email, actor=agent)
    assert participants.row_of(ticket, colleague).removed_at is None


def test_held_mail_decisions_ask_can_decide_held_mail(monkeypatch, accounts):
    asked = []
    monkeypatch.setattr(permissions, "can_decide_held_mail", lambda account, on: asked.append(account) or False)
    agent = accounts["agent"]
    for decide in (intake.accept_held, intake.split_held):
        with pytest.raises(DomainError, match=r"Only agents can do this\."):
            decide(InboundMessage(), actor=agent)
    assert asked == [agent, agent]


def test_the_kinds_are_what_the_checks_were(accounts, ticket):
    """The answers match the inline checks they replaced, account by account."""
    for account in accounts.values():
        is_agent = isinstance(account, Agent)
        assert permissions.can_change_status(account) == is_agent
        assert permissions.can_bring_back_participant(account) == is_agent
        assert permissions.can_open_ticket_for(account, accounts["owner"]) == (
            not isinstance(account, Customer) or account is accounts["owner"]
        )
        assert permissions.can_add_internal_note(account, ticket) == (is_agent and account.is_active)
        assert permissions.can_decide_held_mail(account, None) == (is_agent and account.is_active)
