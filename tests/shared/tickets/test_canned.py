"""Canned replies in the domain: who may keep which, what an agent finds, and how placeholders fill."""

import pytest

from shared.core.errors import DomainError
from shared.models import CannedReply
from shared.tickets import canned


@pytest.fixture
def admin(make_agent):
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True, password=None)


@pytest.fixture
def colleague(make_agent):
    return make_agent("cy@desk.example", name="Cy Colleague", password=None)


def test_an_agent_keeps_personal_replies_and_admins_the_shared_ones(db, agent, admin, colleague):
    mine = canned.create_canned("Thanks", "Thanks for writing.", shared=False, actor=agent)
    shared = canned.create_canned("Hours", "We answer 9 to 5.", shared=True, actor=admin)
    with pytest.raises(DomainError) as refused:
        canned.create_canned("Sneaky", "Everyone sees this", shared=True, actor=agent)
    assert refused.value.field == "shared"
    for verb in (
        lambda reply: canned.update_canned(reply, title="x", body="y", actor=colleague),
        lambda reply: canned.delete_canned(reply, actor=colleague),
    ):
        for reply in (mine, shared):
            with pytest.raises(DomainError):
                verb(reply)
    canned.update_canned(mine, title="Thank you", body="Thank you!", actor=agent)
    canned.update_canned(shared, title="Opening hours", body="9 to 5.", actor=admin)
    assert (mine.title, shared.title) == ("Thank you", "Opening hours")
    canned.delete_canned(mine, actor=agent)
    db.session.commit()
    assert db.session.scalars(db.select(CannedReply.title)).all() == ["Opening hours"]


def test_an_admin_cannot_touch_a_colleagues_personal_reply(db, agent, admin):
    mine = canned.create_canned("Mine", "Private wording.", shared=False, actor=agent)
    with pytest.raises(DomainError):
        canned.update_canned(mine, title="Taken", body="over", actor=admin)
    assert canned.find_canned(admin, mine.id) is None and canned.find_canned(agent, mine.id) is mine


def test_a_title_and_a_text_are_needed(agent):
    with pytest.raises(DomainError) as no_title:
        canned.create_canned("  ", "Body", shared=False, actor=agent)
    with pytest.raises(DomainError) as no_body:
        canned.create_canned("Title", " \n", shared=False, actor=agent)
    assert (no_title.value.field, no_body.value.field) == ("title", "body")


def test_search_finds_own_and_shared_replies_in_title_or_text_any_case(db, agent, admin, colleague):
    canned.create_canned("Refund policy", "Refunds take 5 days.", shared=False, actor=agent)
    canned.create_canned("Shipping", "We ship worldwide; REFUND on request.", shared=True, actor=admin)
    canned.create_canned("Refund (Cy's)", "My own refund words.", shared=False, actor=colleague)
    canned.create_canned("100% sure", "Percent in the title.", shared=False, actor=agent)
    db.session.commit()
    titles = lambda found: [reply.title for reply in found]  # noqa: E731
    assert titles(canned.search(agent, "refund")) == ["Refund policy", "Shipping"]
    assert titles(canned.search(colleague, "REFUND")) == ["Refund (Cy's)", "Shipping"]
    assert titles(canned.search(agent, "%")) == ["100% sure"]  # LIKE wildcards are literal
    assert titles(canned.search(agent, "")) == ["100% sure", "Refund policy", "Shipping"]


def test_search_stops_at_the_limit(db, agent):
    for n in range(15):
        canned.create_canned(f"Reply {n:02}", "Same text", shared=False, actor=agent)
    assert len(canned.search(agent, "reply")) == canned.SEARCH_LIMIT == 10


def test_placeholders_are_filled_for_the_ticket(db, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    reply = canned.create_canned(
        "Hello",
        "Hi {customer_name}, about #{ticket_number}: see {portal_link}\n— {agent_name} {unknown} {customer_name",
        shared=False,
        actor=agent,
    )
    text = canned.render(reply, ticket, agent)
    assert text == (
        f"Hi Alice Archer, about #{ticket.number}: see http://desk.test/portal/tickets/{ticket.number}\n"
        "— Bob Baker {unknown} {customer_name"
    )


def test_filling_in_is_no_format_string_and_never_fills_twice(db, agent, make_customer, make_ticket):
    sly = make_customer("sly@example.com", name="{agent_name}", password=None)
    ticket = make_ticket(sly)
    reply = canned.create_canned(
        "Probe",
        "{customer_name} {0} {agent_name.__class__} {ticket_number!r} {{agent_name}}",
        shared=False,
        actor=agent,
    )
    assert (
        canned.render(reply, ticket, agent) == "{agent_name} {0} {agent_name.__class__} {ticket_number!r} {Bob Baker}"
    )


def test_an_internal_task_keeps_the_customer_placeholder(db, agent, department):
    from shared.tickets import conversation

    task = conversation.open_ticket(
        actor=agent, customer=None, department=department, subject="Rotate keys", body="Yearly"
    )
    reply = canned.create_canned("Hi", "Hi {customer_name}", shared=False, actor=agent)
    assert canned.render(reply, task, agent) == "Hi {customer_name}"
