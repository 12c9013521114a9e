"""Rules are data: disabled, edited and added rules are honoured, and broken ones refused on save."""

import pytest

from shared.core.extensions import db
from shared.models import Rule
from shared.tickets import assignment, conversation, properties, rules
from tests.shared.tickets.rulekit import all_rules, at, closed_ticket, mails, rule, status, ticket_count, waiting_ticket

# Rules are data: disabled and edited rules --------------------------------------------


def disable(number: str) -> None:
    rule(number).enabled = False
    db.session.commit()


def test_a_disabled_rule1_sends_no_acknowledgement(customer, make_ticket, db, outbox):
    disable("1")
    ticket = make_ticket(customer)

    assert ticket.status.key == "new"  # every ticket starts in the `new` category anyway
    assert outbox() == []


def test_a_disabled_rule2_leaves_an_assigned_ticket_new(customer, agent, make_ticket, db):
    disable("2")
    ticket = make_ticket(customer)

    assignment.assign_ticket(ticket, agent, actor=agent)

    assert ticket.status.key == "new"


def test_a_disabled_rule3_leaves_the_ticket_after_an_agent_reply(customer, agent, make_ticket, db):
    disable("3")
    ticket = make_ticket(customer)

    conversation.post_reply(ticket, actor=agent, body="Which printer?")

    assert ticket.status.key == "new"


def test_a_disabled_rule5b_keeps_the_reply_on_the_closed_ticket(customer, agent, make_ticket, db):
    ticket = closed_ticket(make_ticket, customer, agent, assigned=True)
    disable("5b")

    with at(45):
        entry = conversation.post_reply(ticket, actor=customer, body="Hello again.")

    assert entry.ticket is ticket
    assert ticket.status.key == "closed"
    assert ticket_count() == 1


def test_a_disabled_rule7_never_expires_anything(customer, agent, make_ticket, db, outbox):
    ticket = waiting_ticket(make_ticket, customer, agent)
    disable("7")

    with at(90):
        assert properties.expire_pending() == 0

    assert ticket.status.key == "waiting"
    assert mails(outbox, "ticket_auto_closed") == []


def set_reopen_window(days: int) -> None:
    rule("5a").conditions = {"category": ["closed"], "closed_within_days": days}
    rule("5b").conditions = {"category": ["closed"], "closed_over_days": days}
    db.session.commit()


@pytest.mark.parametrize(("days", "linked"), [(9, False), (10, False), (11, True), (29, True)])
def test_an_edited_reopen_window_is_honoured(customer, agent, make_ticket, db, days, linked):
    set_reopen_window(10)
    ticket = closed_ticket(make_ticket, customer, agent, assigned=True)

    with at(days):
        entry = conversation.post_reply(ticket, actor=customer, body="About that ticket...")

    assert (entry.ticket is not ticket) == linked
    assert ticket.status.key == ("closed" if linked else "assigned")


def test_an_edited_pending_expiry_is_honoured(customer, agent, make_ticket, db):
    rule("7").conditions = {"category": ["pending"], "pending_over_days": 3}
    db.session.commit()
    ticket = waiting_ticket(make_ticket, customer, agent)

    with at(2):
        assert properties.expire_pending() == 0
    with at(3):
        assert properties.expire_pending() == 1
    assert ticket.status.key == "closed"


def test_a_renamed_status_still_follows_the_rules(customer, agent, make_ticket, db):
    """Rules name statuses by their key; admins rename the names people see."""
    waiting = status("waiting")
    waiting.names = {"en": "Awaiting your answer", "ru": "Ждём ответа"}
    db.session.commit()
    ticket = make_ticket(customer)

    conversation.post_reply(ticket, actor=agent, body="Which printer?")

    assert ticket.status is waiting
    assert (ticket.status.label(), ticket.status.label("ru")) == ("Awaiting your answer", "Ждём ответа")


def test_an_edited_action_is_honoured(customer, agent, make_ticket, db):
    """An admin decides an agent's reply on a New ticket files it as a feature request."""
    rule("3").actions = [{"set_status": "feature_filed"}]
    db.session.commit()
    ticket = make_ticket(customer)

    conversation.post_reply(ticket, actor=agent, body="Good idea, filed.")

    assert ticket.status.key == "feature_filed"


def test_an_added_rule_runs_in_position_order(customer, agent, make_ticket, db):
    """Of two rules that both set a status, the first by position wins."""
    db.session.add(
        Rule(
            position=-1,
            name="Agent replies file bugs",
            event="message.public_by_agent",
            conditions={"status": ["new"]},
            actions=[{"set_status": "bug_filed"}],
        )
    )
    db.session.commit()
    ticket = make_ticket(customer)

    conversation.post_reply(ticket, actor=agent, body="Filed as a bug.")

    assert ticket.status.key == "bug_filed"


# Validation of admin-edited rules -------------------------------------------------------


def test_every_seeded_rule_validates(db):
    for seeded in all_rules():
        rules.validate(seeded)


@pytest.mark.parametrize(
    ("event", "conditions", "actions"),
    [
        ("ticket.exploded", {}, []),
        ("", {}, []),
        ("ticket.created", {"weather": "rain"}, []),
        ("ticket.created", {}, [{"send_fax": True}]),
        ("ticket.created", {}, [{"set_status": "new", "send_fax": True}]),
        ("ticket.created", {}, [{"if_unassigned": "new"}]),
        ("ticket.created", {}, [{}]),
        ("ticket.created", {}, [{"set_status": "no_such_status"}]),
        ("ticket.created", {}, [{"set_status": "assigned", "if_unassigned": "no_such_status"}]),
    ],
)
def test_validate_refuses_what_the_engine_cannot_run(db, event, conditions, actions):
    with pytest.raises(ValueError):
        rules.validate(Rule(name="typo", event=event, conditions=conditions, actions=actions))


@pytest.mark.parametrize("event", rules.EVENTS)
def test_validate_accepts_every_known_event_condition_and_action(db, event):
    rules.validate(
        Rule(
            name="everything",
            event=event,
            conditions={
                "status": ["new"],
                "category": ["open"],
                "assigned": True,
                "actor": ["customer"],
                "closed_within_days": 3,
                "closed_over_days": 3,
                "pending_over_days": 3,
            },
            actions=[
                {"set_status": "assigned", "if_unassigned": "new"},
                {"notify_customer": "ticket_created"},
                {"public_note": "auto_closed"},
                {"open_linked_ticket": True},
            ],
        )
    )
