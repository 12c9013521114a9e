"""Links between tickets: related (symmetric), problems and incidents, and closing a problem."""

import pytest
from sqlalchemy import select

from shared.access import permissions
from shared.core.errors import DomainError
from shared.models import Entry, OutboxMessage, Ticket, TicketLink
from shared.tickets import conversation, links, properties
from tests.shared.tickets.rulekit import status


def events(ticket: Ticket, name: str) -> list[dict]:
    return [e.data for e in ticket.entries if e.event == name]


@pytest.fixture
def pair(customer, make_customer, make_ticket):
    return make_ticket(customer, subject="VPN drops"), make_ticket(make_customer(), subject="VPN slow")


def test_a_related_link_reads_the_same_from_both_sides_and_is_history_on_both(db, agent, pair):
    one, two = pair
    links.link(two, one, "related", actor=agent)  # from the higher number: still one row, low id first
    db.session.commit()
    [row] = db.session.scalars(select(TicketLink)).all()
    assert (row.ticket_id, row.other_id, row.agent_id) == (one.id, two.id, agent.id)
    assert links.links_of(one).related == [two] and links.links_of(two).related == [one]
    assert events(one, "linked") == [{"ticket": two.number, "as": "related"}]
    assert events(two, "linked") == [{"ticket": one.number, "as": "related"}]
    assert all(not e.is_public for t in pair for e in t.entries if e.event == "linked")

    links.unlink(one, two, actor=agent)
    db.session.commit()
    assert links.links_of(two).empty and db.session.scalars(select(TicketLink)).all() == []
    assert events(two, "unlinked") == [{"ticket": one.number, "as": "related"}]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a ticket number."),
        ("abc", "“abc” is not a ticket number."),
        ("#999", "There is no ticket #999."),
    ],
)
def test_a_bad_number_says_what_is_wrong(db, agent, typed, message):
    with pytest.raises(DomainError) as refused:
        links.find_by_number(agent, typed)
    assert refused.value.message == message and refused.value.field == "number"


def test_self_twice_and_merged_links_are_refused(db, agent, pair, make_ticket, customer):
    one, two = pair
    assert links.find_by_number(agent, f"#{two.number}") is two
    with pytest.raises(DomainError, match="cannot be linked to itself"):
        links.link(one, one, "related", actor=agent)
    links.link(one, two, "related", actor=agent)
    with pytest.raises(DomainError, match=f"#{one.number} is already linked"):
        links.link(two, one, "related", actor=agent)
    with pytest.raises(DomainError, match="Choose how"):
        links.link(one, two, "sibling", actor=agent)


def test_customers_may_not_link(db, customer, pair):
    one, two = pair
    assert not permissions.can_link_tickets(customer, one, two)
    with pytest.raises(DomainError, match="Only agents"):
        links.link(one, two, "related", actor=customer)


def test_an_incident_has_one_problem_and_linking_marks_the_problem(db, agent, pair, make_ticket, customer):
    problem, incident = pair
    links.link(incident, problem, "problem", actor=agent)
    db.session.commit()
    assert problem.is_problem and incident.problem is problem
    assert links.links_of(problem).incidents == [incident] and links.links_of(incident).problem is problem
    assert events(problem, "problem") == [{"on": True}]
    assert events(problem, "linked") == [{"ticket": incident.number, "as": "incident"}]
    assert events(incident, "linked") == [{"ticket": problem.number, "as": "problem"}]

    other_problem = make_ticket(customer, subject="Another outage")
    with pytest.raises(DomainError, match=f"already an incident of #{problem.number}; unlink it there first"):
        links.link(other_problem, incident, "incident", actor=agent)
    with pytest.raises(DomainError, match="already an incident"):
        links.link(problem, incident, "incident", actor=agent)
    with pytest.raises(DomainError, match="is a problem itself"):
        links.link(other_problem, problem, "incident", actor=agent)
    with pytest.raises(DomainError, match="is an incident, so it cannot be a problem"):
        links.link(incident, other_problem, "incident", actor=agent)
    with pytest.raises(DomainError, match="Unlink its incidents first"):
        links.mark_problem(problem, False, actor=agent)

    links.unlink(problem, incident, actor=agent)
    links.mark_problem(problem, False, actor=agent)
    db.session.commit()
    assert incident.problem is None and not problem.is_problem
    assert events(incident, "unlinked") == [{"ticket": problem.number, "as": "problem"}]


def _problem_with_incidents(db, agent, customer, make_customer, make_ticket):
    problem = make_ticket(customer, subject="Mail server down")
    incidents = [make_ticket(make_customer(), subject=f"No mail {n}") for n in range(3)]
    for incident in incidents:
        links.link_incident(problem, incident, actor=agent)
    db.session.commit()
    return problem, incidents


def test_closing_a_problem_answers_each_open_incident_once_by_mail(
    db, agent, customer, make_customer, make_ticket, outbox, put_in
):
    problem, incidents = _problem_with_incidents(db, agent, customer, make_customer, make_ticket)
    put_in(incidents[2], "closed")  # already settled: not answered
    before = len(outbox())

    properties.change_status(problem, status("closed"), actor=agent)
    db.session.commit()
    for incident in incidents[:2]:
        [answer] = [e for e in incident.entries if e.kind == "message" and e.agent is agent]
        assert answer.is_public and "fixed the underlying problem" in answer.body
        assert incident.status.key == "waiting"  # rule 3, as for any agent reply
    assert not [e for e in incidents[2].entries if e.kind == "message" and e.agent is agent]
    assert events(problem, "incidents_answered") == [{"tickets": [incidents[0].number, incidents[1].number]}]
    mail = [(m.template, m.to_addr) for m in outbox()[before:]]
    assert mail == [
        ("ticket_closed", customer.email),
        ("agent_reply", incidents[0].customer.email),
        ("agent_reply", incidents[1].customer.email),
    ]

    properties.change_status(problem, status("closed"), actor=agent)  # no move: nothing again
    conversation.post_reply(problem, actor=agent, body="One more thing.")  # reopens nothing: rule 3 needs New/Assigned
    db.session.commit()
    for incident in incidents[:2]:
        assert len([e for e in incident.entries if e.kind == "message" and e.agent is agent]) == 1


def test_a_reply_that_closes_the_problem_is_what_the_incidents_hear(
    db, agent, customer, make_customer, make_ticket, outbox
):
    problem, incidents = _problem_with_incidents(db, agent, customer, make_customer, make_ticket)
    conversation.post_reply(problem, actor=agent, body="We replaced the **mail server**.", status=status("closed"))
    db.session.commit()
    for incident in incidents:
        [answer] = [e for e in incident.entries if e.kind == "message" and e.agent is agent]
        assert answer.body == "We replaced the **mail server**." and "<strong>" in answer.body_html
    to_incidents = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.ticket_id.in_([i.id for i in incidents]))
    ).all()
    assert sorted(m.template for m in to_incidents if m.template == "agent_reply") == ["agent_reply"] * 3
    assert db.session.scalar(select(Entry).where(Entry.event == "incidents_answered")).data["tickets"] == [
        i.number for i in incidents
    ]


def test_closing_a_ticket_that_is_no_problem_answers_nobody(db, agent, pair):
    one, two = pair
    links.link(one, two, "related", actor=agent)
    properties.change_status(one, status("closed"), actor=agent)
    db.session.commit()
    assert not [e for e in two.entries if e.kind == "message" and e.agent is agent]
    assert events(one, "incidents_answered") == []
