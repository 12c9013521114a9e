"""The reply box's verb: a reply or a note, the chosen status and the time spent land together."""

import pytest

from shared.core.errors import DomainError
from shared.models import EntryKind, TimeSpent, Visibility
from shared.tickets import answers, rules


def _time_logged(db, ticket) -> list[tuple[int, int | None]]:
    rows = db.session.execute(db.select(TimeSpent.minutes, TimeSpent.entry_id).filter_by(ticket_id=ticket.id))
    return [tuple(row) for row in rows]


def test_a_public_reply_takes_the_chosen_status_and_logs_time_against_itself(db, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    closed = rules.status_by_key("closed")
    entry = answers.answer(ticket, actor=agent, body="Fixed.", internal=False, status=closed, minutes=20)
    db.session.commit()
    assert (entry.kind, entry.visibility) == (EntryKind.MESSAGE, Visibility.PUBLIC)
    assert ticket.status is closed
    assert _time_logged(db, ticket) == [(20, entry.id)]


def test_a_note_stays_internal_and_moves_the_ticket_only_when_asked(db, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    before = ticket.status
    note = answers.answer(ticket, actor=agent, body="Checked the logs.", internal=True)
    assert note.visibility is Visibility.INTERNAL
    assert ticket.status is before and _time_logged(db, ticket) == []
    waiting = rules.status_by_key("waiting")
    answers.answer(ticket, actor=agent, body="Asked the vendor.", internal=True, status=waiting)
    assert ticket.status is waiting


def test_a_refused_part_leaves_nothing_for_the_caller_to_commit(db, agent, customer, make_ticket):
    """Minutes out of range fail the verb; the view rolls back the reply written before them."""
    ticket = make_ticket(customer)
    entries = len(ticket.entries)
    with pytest.raises(DomainError) as refused:
        answers.answer(ticket, actor=agent, body="Done.", internal=False, minutes=5000)
    assert refused.value.field == "minutes"
    db.session.rollback()
    assert len(ticket.entries) == entries and _time_logged(db, ticket) == []


def test_customers_cannot_answer_as_agents(db, customer, make_ticket):
    ticket = make_ticket(customer)
    with pytest.raises(DomainError):
        answers.answer(ticket, actor=customer, body="Let me in.", internal=True)
