"""Presence heartbeats and the stale-reply check."""

from datetime import timedelta

from shared.models import TicketPresence, utcnow
from shared.records import history, presence
from shared.tickets import conversation


def test_others_lists_other_active_agents_with_typing_and_not_oneself(db, make_agent, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    dana, gone, away = make_agent(name="Dana"), make_agent(name="Gone"), make_agent(name="Away")
    presence.touch(ticket, agent, typing=True)
    presence.touch(ticket, dana, typing=True)
    presence.touch(ticket, dana, typing=False)  # a quiet beat keeps the recent keystroke
    presence.touch(ticket, gone, typing=False)
    presence.touch(ticket, away, typing=False)
    gone.is_active = False
    db.session.get(TicketPresence, (ticket.id, away.id)).seen_at = utcnow() - timedelta(seconds=30)
    db.session.commit()
    assert [(v.agent.name, v.typing) for v in presence.others(ticket, agent)] == [("Dana", True)]
    db.session.get(TicketPresence, (ticket.id, dana.id)).typing_at = utcnow() - timedelta(seconds=15)
    db.session.commit()
    assert [(v.agent.name, v.typing) for v in presence.others(ticket, agent)] == [("Dana", False)]
    assert db.session.query(TicketPresence).count() == 4  # upserted, one row each


def test_changed_since_counts_messages_from_others_only(db, make_agent, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    seen = history.last_entry_id(ticket)
    conversation.add_internal_note(ticket, actor=agent, body="Mine")
    db.session.commit()
    assert not presence.changed_since(ticket, seen, agent)
    conversation.add_internal_note(ticket, actor=make_agent(name="Dana"), body="Hers")
    db.session.commit()
    assert presence.changed_since(ticket, seen, agent)
    assert not presence.changed_since(ticket, history.last_entry_id(ticket), agent)


def test_answered_meanwhile_checks_under_the_tickets_lock_and_reads_it_afresh(
    db, make_agent, agent, customer, make_ticket
):
    ticket = make_ticket(customer)
    seen = history.last_entry_id(ticket)
    assert not presence.answered_meanwhile(ticket, seen, agent)
    assert db.session().in_transaction()  # the lock is held until the caller commits or rolls back
    db.session.rollback()
    conversation.post_reply(ticket, actor=make_agent(name="Dana"), body="Dana first")
    db.session.commit()
    assert presence.answered_meanwhile(ticket, seen, agent)
    assert ticket.channel == "web"  # the lock changed nothing
