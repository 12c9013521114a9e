"""One received mail with many recipients does not make dozens of customers: a documented cap."""

from sqlalchemy import func, select

from shared.core.extensions import db
from shared.models import Customer, InboundState
from shared.tickets import participants
from tests.shared.mail.inbound import DESK, compose, deliver


def customers() -> int:
    return db.session.scalar(select(func.count(Customer.id)))


def test_a_mail_copied_to_dozens_adds_only_the_cap_and_the_history_names_the_rest(db, app, agent, login_as):
    app.config["MAIL_MAX_NEW_PARTICIPANTS"] = 10
    copied = [f"person{i:02d}@crowd.example" for i in range(30)]
    raw = compose(to=f"{DESK}, {', '.join(copied[:5])}", cc=", ".join(copied[5:]), message_id="<crowd@x.example>")
    inbound = deliver(raw)
    assert inbound.state == InboundState.PROCESSED and inbound.reason == "new_ticket"
    ticket = inbound.ticket
    assert [c.email for c in participants.customers_on(ticket)] == copied[:10]
    assert customers() == 1 + 10  # the sender and the first ten, not thirty-one
    assert db.session.scalar(select(Customer).where(Customer.email == copied[10])) is None
    [event] = [e for e in ticket.entries if e.event == "mail_participants_capped"]
    assert not event.is_public
    assert event.data == {"addresses": copied[10:], "count": 20, "limit": 10}
    page = login_as(agent).get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert "20 more addresses the mail was sent to were not added to the ticket (at most 10 per mail)" in page
    assert copied[29] in page


def test_people_already_on_the_ticket_do_not_use_up_the_cap(db, app):
    app.config["MAIL_MAX_NEW_PARTICIPANTS"] = 2
    first = deliver(compose(cc="a@crowd.example, b@crowd.example", message_id="<one@x.example>"))
    ticket = first.ticket
    reply = compose(
        subject=f"Re: [#{ticket.number}] The printer is on fire",
        in_reply_to="<one@x.example>",
        cc="a@crowd.example, b@crowd.example, c@crowd.example",
        body="And Carl.",
    )
    answered = deliver(reply)
    assert answered.state == InboundState.PROCESSED and answered.ticket is ticket
    emails = [c.email for c in participants.customers_on(ticket)]
    assert emails == ["a@crowd.example", "b@crowd.example", "c@crowd.example"]
    assert not [e for e in ticket.entries if e.event == "mail_participants_capped"]


def test_a_cap_of_zero_adds_nobody(db, app):
    app.config["MAIL_MAX_NEW_PARTICIPANTS"] = 0
    inbound = deliver(compose(cc="a@crowd.example", message_id="<zero@x.example>"))
    assert participants.customers_on(inbound.ticket) == [] and customers() == 1
    [event] = [e for e in inbound.ticket.entries if e.event == "mail_participants_capped"]
    assert event.data["addresses"] == ["a@crowd.example"]
