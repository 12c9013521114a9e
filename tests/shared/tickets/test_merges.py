"""Merging a duplicate: both histories kept as they were, the pointer, the close, the mail, the refusals."""

import pytest
from sqlalchemy import select

from shared.access import parties, permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Entry, OutboxMessage, Ticket
from shared.outgoing import notifications
from shared.tickets import conversation, links, merges
from tests.merging import merge_as_before


def history_ids(ticket: Ticket) -> list[int]:
    return list(db.session.scalars(select(Entry.id).where(Entry.ticket_id == ticket.id).order_by(Entry.id)))


@pytest.fixture
def duplicate_and_target(db, agent, customer, make_ticket):
    target = make_ticket(customer, subject="Printer on fire")
    duplicate = make_ticket(customer, subject="Printer still on fire")
    conversation.post_reply(duplicate, actor=customer, body="It is getting worse.")
    conversation.add_internal_note(duplicate, actor=agent, body="Same as the other one.")
    conversation.post_reply(target, actor=agent, body="On our way.")
    db.session.commit()
    return duplicate, target


def test_merging_keeps_every_entry_of_both_and_only_adds(db, agent, customer, duplicate_and_target, outbox):
    duplicate, target = duplicate_and_target
    before_dup, before_target = history_ids(duplicate), history_ids(target)
    snapshot = {e.id: (e.ticket_id, e.body, e.visibility) for e in db.session.scalars(select(Entry))}

    merges.merge_ticket(duplicate, target, actor=agent)
    db.session.commit()

    after_dup, after_target = history_ids(duplicate), history_ids(target)
    assert after_dup[: len(before_dup)] == before_dup and after_target[: len(before_target)] == before_target
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_(snapshot))):
        assert (entry.ticket_id, entry.body, entry.visibility) == snapshot[entry.id]
    added_dup = [db.session.get(Entry, i) for i in after_dup[len(before_dup) :]]
    assert [(e.event, e.is_public) for e in added_dup] == [("merged_into", False), ("note", True), ("status", False)]
    assert added_dup[0].data == {"ticket": target.number}
    assert f"merged this request into #{target.number}" in added_dup[1].body
    [added_target] = [db.session.get(Entry, i) for i in after_target[len(before_target) :]]
    assert added_target.event == "merged" and added_target.data["ticket"] == duplicate.number

    assert duplicate.merged_into is target and duplicate.status.key == "closed"
    assert links.links_of(target).merged_here == [duplicate]
    assert target.status.key != "closed"
    [mail] = [m for m in outbox() if m.ticket_id == duplicate.id and m.template.startswith("ticket_")][-1:]
    assert mail.template == "ticket_merged" and mail.to_addr == customer.email
    assert f"continues in #{target.number}" in mail.body_text and f"/portal/tickets/{target.number}" in mail.body_text
    assert not [m for m in outbox() if m.ticket_id == duplicate.id and m.template == "ticket_closed"]


def test_into_itself_into_a_merged_ticket_and_cycles_are_refused(db, agent, customer, make_ticket):
    a, b, c = (make_ticket(customer, subject=s) for s in ("A", "B", "C"))
    with pytest.raises(DomainError, match="cannot be merged into itself"):
        merges.merge_ticket(a, a, actor=agent)
    merges.merge_ticket(a, b, actor=agent)
    db.session.commit()
    with pytest.raises(DomainError, match=f"already merged into #{b.number}"):
        merges.merge_ticket(a, c, actor=agent)
    with pytest.raises(DomainError, match=f"#{a.number} was itself merged into #{b.number}"):
        merges.merge_ticket(b, a, actor=agent)  # would be a cycle
    with pytest.raises(DomainError, match=f"was itself merged into #{b.number}"):
        merges.merge_ticket(c, a, actor=agent)
    merges.merge_ticket(b, c, actor=agent)  # a chain grows at its end
    db.session.commit()
    assert links.continuation(a) is c and links.continuation(b) is c and links.continuation(c) is c
    with pytest.raises(DomainError, match="was itself merged"):
        merges.merge_ticket(c, a, actor=agent)


def test_only_agents_merge_and_a_problem_keeps_its_incidents(db, agent, customer, make_ticket):
    a, b, c = (make_ticket(customer, subject=s) for s in ("A", "B", "C"))
    assert not permissions.can_link_tickets(customer, a, b)
    with pytest.raises(DomainError, match="Only agents"):
        merges.merge_ticket(a, b, actor=customer)
    links.link_incident(a, c, actor=agent)
    with pytest.raises(DomainError, match="problem with incidents"):
        merges.merge_ticket(a, b, actor=agent)


@pytest.mark.parametrize(
    ("duplicate_of", "target_of", "sharing", "allowed"),
    [
        ("alice", "alice", False, True),
        ("cleo", "alice", True, True),  # one organization that shares its tickets
        ("cleo", "alice", False, False),  # one organization that does not
        ("sam", "alice", True, False),  # another customer
        (None, "alice", False, True),  # an internal task has nobody to show anything to
        ("alice", None, False, False),  # she could not follow an internal task
    ],
)
def test_a_merge_keeps_to_one_customer_or_one_sharing_organization(
    db, agent, make_customer, make_ticket, department, outbox, duplicate_of, target_of, sharing, allowed
):
    people = {
        "alice": make_customer("alice@acme.example", name="Alice Archer", organization="Acme"),
        "cleo": make_customer("cleo@acme.example", name="Cleo Chen", organization="Acme"),
        "sam": make_customer("sam@example.com", name="Sam Stone"),
    }
    people["alice"].organization.sharing = sharing

    def ticket_of(name: str | None) -> Ticket:
        if name is None:
            return conversation.open_ticket_by_agent(
                actor=agent,
                customer_email=None,
                channel="agent",
                subject="Internal task",
                body="Check it.",
                department=department,
            )
        return make_ticket(people[name], subject=f"{name}'s ticket")

    duplicate, target = ticket_of(duplicate_of), ticket_of(target_of)
    db.session.commit()
    if allowed:
        merges.merge_ticket(duplicate, target, actor=agent)
        db.session.commit()
        assert links.continuation(duplicate) is target
        return
    mails = len(outbox())
    with pytest.raises(merges.AcrossCustomers, match="Link the two tickets instead") as refused:
        merges.merge_ticket(duplicate, target, actor=agent)
    assert refused.value.target is target and refused.value.field == "number"
    db.session.rollback()
    assert duplicate.merged_into is None and duplicate.status.key != "closed" and len(outbox()) == mails
    assert not permissions.is_participant(duplicate.customer, target)


def test_a_colleague_in_a_sharing_organization_is_shown_the_target(db, agent, customer, make_customer, make_ticket):
    colleague = make_customer("cleo@example.com", organization="Acme")
    colleague.organization.sharing = True
    customer.organization = colleague.organization
    target = make_ticket(customer)
    duplicate = make_ticket(colleague)
    merges.merge_ticket(duplicate, target, actor=agent)
    db.session.commit()
    assert permissions.can_view_ticket(colleague, target) and not permissions.is_participant(colleague, target)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "ticket_merged"))
    assert f"#{target.number}" in mail.subject


def test_old_merges_across_customers_along_a_chain_are_kept_apart_at_the_crossing(
    db, agent, customer, make_customer, make_ticket
):
    """Sam's A into Sam's B (one customer), then B into Alice's C the old way, and Alice's D into C."""
    sam = make_customer("sam@example.com", name="Sam Stone")
    a, b = make_ticket(sam, subject="A"), make_ticket(sam, subject="B")
    c, d = make_ticket(customer, subject="C"), make_ticket(customer, subject="D")
    merges.merge_ticket(a, b, actor=agent)
    merges.merge_ticket(d, c, actor=agent)
    db.session.commit()
    merge_as_before(b, c, agent=agent)

    assert links.continuation(a) is b and links.continuation(b) is b and links.continuation(d) is c
    assert [(m.ticket, m.apart) for m in parties.merged_below(c)] == [(b, True), (d, False), (a, True)]
    assert parties.strangers(c) == {sam.id} and parties.strangers(b) == set()
    assert notifications.customers_of(c) == [customer] and notifications.customers_of(b) == [sam]
    assert not permissions.can_reply(sam, c) and permissions.can_reply(sam, b) and permissions.can_reply(customer, c)
    with pytest.raises(DomainError, match="was itself merged"):
        merges.merge_ticket(c, b, actor=agent)
