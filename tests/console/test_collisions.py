"""Collision notices over HTTP: the presence strip and the refused stale reply."""

from shared.records import history
from shared.tickets import conversation

HTMX = {"HX-Request": "true"}
NOTICE = "The ticket changed while you were writing"


def test_a_stale_reply_is_refused_kept_and_goes_through_the_second_time(
    client, login_as, agent, make_agent, customer, make_ticket, db
):
    ticket = make_ticket(customer)
    seen = history.last_entry_id(ticket)
    conversation.post_reply(ticket, actor=make_agent(name="Dana"), body="Dana answered first")
    db.session.commit()
    login_as(agent)
    url = f"/console/tickets/{ticket.number}/reply"
    form = {"visibility": "public", "body": "My own answer", "seen": seen}
    response = client.post(url, data=form, headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert NOTICE in page and "Dana answered first" in page and "My own answer" in page
    assert f'value="{history.last_entry_id(ticket)}"' in page  # the box now counts Dana's reply as read
    plain = client.post(url, data=form)
    assert plain.status_code == 409 and NOTICE in plain.get_data(as_text=True)
    assert "My own answer" not in [e.body for e in history.entries(ticket)]
    again = client.post(url, data=form | {"seen": history.last_entry_id(ticket)})
    assert again.status_code == 303
    assert "My own answer" in [e.body for e in history.entries(ticket)]


def test_the_presence_strip_shows_the_other_agents_and_who_types(
    client, login_as, agent, make_agent, customer, make_ticket, db
):
    ticket = make_ticket(customer)
    dana, gone = make_agent(name="Dana"), make_agent(name="Gone")
    url = f"/console/tickets/{ticket.number}/presence"
    for other, typing in ((dana, "true"), (gone, "false")):
        login_as(other)
        client.post(url, data={"typing": typing}, headers=HTMX)
        client.post("/console/logout")
    gone.is_active = False
    db.session.commit()
    login_as(agent)
    strip = client.post(url, data={"typing": "false"}, headers=HTMX).get_data(as_text=True)
    assert "Dana is typing a reply…" in strip
    assert "Gone" not in strip and agent.display_name not in strip
    login_as(dana)
    strip = client.post(url, data={"typing": "false"}, headers=HTMX).get_data(as_text=True)
    assert f"{agent.display_name} is viewing" in strip and "Dana" not in strip
