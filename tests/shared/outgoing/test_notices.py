"""A notice to every agent (a new ticket, an SLA breach): one message each, in each agent's language,
rendered once per language and queued in one go, so filing a ticket costs the same with 3 agents
as with 30."""

import pytest
from sqlalchemy import select

from shared.core.extensions import db as _db
from shared.models import MailMessageId, OutboxMessage
from shared.outgoing import message_ids
from shared.outgoing import outbox as queue
from shared.tickets import conversation
from tests.querycount import recorded, shapes


@pytest.fixture
def rendered(monkeypatch) -> list[tuple[str, str]]:
    """The mail rendered while the test runs, as (template, language), in order."""
    calls: list[tuple[str, str]] = []
    render = queue._render

    def counting(template: str, locale: str, context: dict) -> tuple[str, str, str]:
        calls.append((template, locale))
        return render(template, locale, context)

    monkeypatch.setattr(queue, "_render", counting)
    return calls


def _agents(make_agent, db, count: int, locale: str = "en") -> list:
    made = [make_agent(name=f"Agent {locale} {n}") for n in range(count)]
    for agent in made:
        agent.locale = locale
    db.session.commit()
    return made


def test_every_agent_gets_their_own_notice_in_their_language(db, make_agent, customer, department, outbox, rendered):
    english = _agents(make_agent, db, 3, "en")
    russian = _agents(make_agent, db, 2, "ru")
    rendered.clear()
    ticket = conversation.open_ticket(
        actor=customer, customer=customer, department=department, subject="Printer", body="Smoke everywhere."
    )
    db.session.commit()

    notices = [m for m in outbox() if m.template == "agent_new_ticket"]
    assert sorted(m.to_addr for m in notices) == sorted(a.email for a in english + russian)
    for message in notices:
        words = "создал(а) обращение" if message.to_addr in {a.email for a in russian} else "opened ticket"
        assert words in message.body_text and words in message.body_html
        assert message.subject.startswith(f"[#{ticket.number}] ")
        assert "Smoke everywhere." in message.body_text
        assert message.headers["Auto-Submitted"] == "auto-generated"
        assert message_ids.verify(message.message_id, message.to_addr) == (ticket.id, ticket.entries[0].id)
    assert len({m.message_id for m in notices}) == len(notices)
    stored = db.session.scalars(select(MailMessageId).where(MailMessageId.direction == "out")).all()
    assert {m.message_id for m in notices} <= {row.message_id for row in stored}
    # Once per language, not once per agent.
    assert sorted(call for call in rendered if call[0] == "agent_new_ticket") == [
        ("agent_new_ticket", "en"),
        ("agent_new_ticket", "ru"),
    ]


def test_a_template_that_names_its_recipient_is_rendered_for_each(db, make_customer, make_ticket, outbox):
    """`ticket_closed` greets the customer by name: sent to several at once, each reads their own."""
    ann = make_customer("ann@example.com", name="Ann Avery")
    ben = make_customer("ben@example.com", name="Ben Brooks")
    ticket = make_ticket(ann)
    before = len(outbox())
    queue.enqueue_each([ann, ben], "ticket_closed", ticket=ticket, entry=ticket.entries[-1])
    db.session.commit()
    greeted = {m.to_addr: m.body_text for m in outbox()[before:]}
    assert "Ann Avery" in greeted["ann@example.com"] and "Ben Brooks" not in greeted["ann@example.com"]
    assert "Ben Brooks" in greeted["ben@example.com"] and "Ann Avery" not in greeted["ben@example.com"]


def test_filing_runs_as_many_statements_with_many_agents_and_tickets(db, make_agent, customer, department):
    """No statement runs once per agent, nor grows with the customer's tickets: the notices go in one
    insert per table."""

    def statements_to_file() -> list[str]:
        with recorded(_db.engine) as statements:
            conversation.open_ticket(
                actor=customer, customer=customer, department=department, subject="Printer", body="Smoke."
            )
            db.session.commit()
        return [statement for statement, _parameters in statements]

    _agents(make_agent, db, 2)
    statements_to_file()  # warm: what runs once per process
    few = statements_to_file()
    _agents(make_agent, db, 25)
    for _ in range(25):
        statements_to_file()
    many = statements_to_file()
    assert shapes(many) == shapes(few)
    notices = select(_db.func.count()).select_from(OutboxMessage).where(OutboxMessage.template == "agent_new_ticket")
    assert db.session.scalar(notices) == 2 * 2 + 26 * 27  # two tickets to 2 agents, then 26 to 27
