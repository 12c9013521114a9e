"""The portal's pages run as many SQL statements with 60 tickets (or entries) as with 5: nothing is
loaded once per row (see tests/querycount.py)."""

import itertools

from shared.tickets import assignment, conversation, properties, rules
from shared.tickets.attachments import Upload
from tests.querycount import assert_constant

HTMX = {"HX-Request": "true"}
_serial = itertools.count(1)


def test_my_tickets_runs_as_many_statements_however_many_tickets(
    client, login_as, db, agent, make_agent, make_customer, make_ticket
):
    """Open and closed, the customer's own and (a tab) their colleagues', each with its own
    colleague and agent, some with news the customer has not seen."""
    alice = make_customer("alice@acme.example", name="Alice Archer", organization="Acme Corp")
    alice.organization.sharing = True
    db.session.commit()
    login_as(alice)
    made = []

    def grow(total: int) -> None:
        while len(made) < total:
            i, n = len(made), next(_serial)
            author = alice if i % 2 else make_customer(f"colleague{n}@acme.example", organization="Acme Corp")
            ticket = make_ticket(author, subject=f"Invoice {n}")
            colleague = make_agent(name=f"Agent {n}")
            assignment.assign_ticket(ticket, colleague, actor=agent)
            conversation.post_reply(ticket, actor=colleague, body="Which month?")
            if i % 3 == 0:
                properties.change_status(ticket, rules.status_by_key("closed"), actor=agent)
            db.session.commit()
            made.append(ticket)

    pages = {
        "mine": ("/portal/tickets", {}),
        "mine, list": ("/portal/tickets", HTMX),
        "organization": ("/portal/tickets?view=organization", {}),
        "organization, list": ("/portal/tickets?view=organization", HTMX),
    }
    print(assert_constant(client, db.engine, grow, pages))


def test_a_ticket_page_runs_as_many_statements_however_long_its_history(
    client, login_as, db, agent, make_agent, customer, make_ticket
):
    """Replies with files from many agents and the customer, and internal notes the customer does not see."""
    ticket = make_ticket(customer, subject="The VPN drops", uploads=[Upload("log.txt", b"dropped")])
    login_as(customer)

    def grow(total: int) -> None:
        while len(ticket.entries) < total:
            n = next(_serial)
            colleague = make_agent(name=f"Agent {n}")
            conversation.add_internal_note(ticket, actor=colleague, body=f"Note {n}")
            conversation.post_reply(ticket, actor=colleague, body=f"Answer {n}", uploads=[Upload(f"{n}.txt", b"a")])
            conversation.post_reply(ticket, actor=customer, body=f"Reply {n}", uploads=[Upload(f"r{n}.txt", b"r")])
            db.session.commit()

    url = f"/portal/tickets/{ticket.number}"
    print(assert_constant(client, db.engine, grow, {"ticket": (url, {}), "ticket, htmx": (url, HTMX)}))
