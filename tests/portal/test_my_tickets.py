"""My tickets over HTTP: the "New reply" marker, the organization tab, and rating closed tickets."""

from datetime import datetime, timedelta

import pytest

from shared.core.clock import frozen_at
from shared.models import Rating
from shared.tickets import conversation, properties, rules

HTMX = {"HX-Request": "true"}
T0 = datetime(2026, 3, 2, 9, 0)


def at(days: float):
    return frozen_at(T0 + timedelta(days=days))


def close(ticket, agent, db):
    properties.change_status(ticket, rules.status_by_key("closed"), actor=agent)
    db.session.commit()
    return ticket


def text(response) -> str:
    return response.get_data(as_text=True)


# --- The "New reply" marker ------------------------------------------------------------


def test_the_marker_shows_after_an_agent_reply_and_goes_once_the_ticket_is_opened(
    client, login_as, customer, agent, make_ticket, db
):
    ticket = make_ticket(customer, subject="Printer on fire")
    login_as(customer)
    assert "New reply" not in text(client.get("/portal/tickets"))

    conversation.post_reply(ticket, actor=agent, body="Unplug it, please.")
    db.session.commit()
    page = text(client.get("/portal/tickets"))
    assert page.count("New reply") == 1 and "ticket-card--unread" in page
    assert "our team has answered since you last looked" in page  # for screen readers

    assert client.get(f"/portal/tickets/{ticket.number}").status_code == 200
    assert "New reply" not in text(client.get("/portal/tickets"))


def test_the_customers_own_reply_is_not_marked(client, login_as, customer, make_ticket):
    ticket = make_ticket(customer)
    login_as(customer)
    client.post(f"/portal/tickets/{ticket.number}/reply", data={"body": "Also, it smells."})
    assert "New reply" not in text(client.get("/portal/tickets"))


# --- The organization tab --------------------------------------------------------------


@pytest.fixture
def acme(make_customer, make_ticket, db):
    """Alice and Carol at Acme (sharing off until a test turns it on), each with a ticket."""
    alice = make_customer("alice@acme.example", name="Alice Archer", organization="Acme Corp")
    carol = make_customer("carol@acme.example", name="Carol Chen", organization="Acme Corp")
    make_ticket(alice, subject="Alice's invoice")
    make_ticket(carol, subject="Carol's VPN")
    return alice, carol


def share(organization, db) -> None:
    organization.sharing = True
    db.session.commit()


def test_without_sharing_there_is_no_tab_and_no_colleagues_tickets(client, login_as, acme):
    alice, _carol = acme
    login_as(alice)
    for url in ("/portal/tickets", "/portal/tickets?view=organization"):
        page = text(client.get(url))
        assert "Alice&#39;s invoice" in page
        assert "Carol&#39;s VPN" not in page and 'class="tabs"' not in page and "Acme Corp" not in page


def test_with_sharing_the_tab_shows_the_colleagues_tickets_with_their_names(client, login_as, acme, db):
    alice, _carol = acme
    share(alice.organization, db)
    login_as(alice)
    mine = text(client.get("/portal/tickets"))
    assert 'class="tabs"' in mine and "?view=organization" in mine and ">Acme Corp</a>" in mine
    assert "Carol&#39;s VPN" not in mine
    assert 'id="tab-mine" class="tabs__tab" href="/portal/tickets"' in mine

    shared = text(client.get("/portal/tickets?view=organization"))
    assert "Alice&#39;s invoice" in shared and "Carol&#39;s VPN" in shared
    assert "Filed by Carol Chen" in shared and "Filed by you" in shared
    assert 'hx-push-url="true" aria-current="page">Acme Corp</a>' in shared


def test_a_customer_outside_the_organization_sees_no_tab_nor_its_tickets(client, login_as, acme, customer, db):
    share(acme[0].organization, db)
    login_as(customer)
    page = text(client.get("/portal/tickets?view=organization"))
    assert 'class="tabs"' not in page and "Carol&#39;s VPN" not in page and "No tickets yet" in page


def test_the_organization_view_has_a_helpful_empty_state(client, login_as, make_customer, db):
    dana = make_customer(name="Dana", organization="Empty Ltd")
    share(dana.organization, db)
    login_as(dana)
    page = text(client.get("/portal/tickets?view=organization"))
    assert "No tickets from Empty Ltd yet" in page and "File a ticket" in page


def test_htmx_gets_only_the_list_and_a_reload_gets_the_whole_page(client, login_as, acme, db):
    alice, _carol = acme
    share(alice.organization, db)
    login_as(alice)
    fragment = client.get("/portal/tickets?view=organization", headers=HTMX)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    body = text(fragment).strip()
    assert body.startswith('<div id="ticket-list"') and "<html" not in body and "Carol&#39;s VPN" in body
    for headers in ({}, {**HTMX, "HX-Boosted": "true"}, {**HTMX, "HX-History-Restore-Request": "true"}):
        page = text(client.get("/portal/tickets?view=organization", headers=headers))
        assert page.startswith("<!doctype html>") and "Carol&#39;s VPN" in page


def test_open_tickets_come_first_then_the_archive(client, login_as, customer, agent, make_ticket, db):
    close(make_ticket(customer, subject="Old question"), agent, db)
    make_ticket(customer, subject="Fresh question")
    login_as(customer)
    page = text(client.get("/portal/tickets"))
    assert page.index("Fresh question") < page.index("archive-heading") < page.index("Old question")


def test_a_page_past_the_end_shows_the_last_page(client, login_as, customer, make_ticket):
    make_ticket(customer, subject="Only one")
    login_as(customer)
    assert "Only one" in text(client.get("/portal/tickets?page=7"))


# --- Rating ----------------------------------------------------------------------------


@pytest.fixture
def closed(customer, agent, make_ticket, db):
    with at(0):
        ticket = make_ticket(customer, subject="Printer on fire")
        conversation.post_reply(ticket, actor=agent, body="Replaced the fuser.")
        return close(ticket, agent, db)


def rating_of(ticket, db) -> Rating | None:
    return db.session.query(Rating).filter_by(ticket_id=ticket.id).one_or_none()


def test_the_rating_form_is_only_on_closed_tickets(client, login_as, customer, make_ticket, closed):
    login_as(customer)
    assert 'id="rating"' in text(client.get(f"/portal/tickets/{closed.number}"))
    assert 'id="rating"' not in text(client.get(f"/portal/tickets/{make_ticket(customer).number}"))


def test_rating_as_a_plain_form_post_redirects_back_to_the_rating(client, login_as, customer, closed, db):
    login_as(customer)
    with at(1):
        response = client.post(f"/portal/tickets/{closed.number}/rating", data={"score": "4", "comment": "Quick!"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/portal/tickets/{closed.number}#rating")
    rating = rating_of(closed, db)
    assert (rating.score, rating.comment) == (4, "Quick!")
    assert closed.status.key == "closed"
    with at(2):
        page = text(client.get(f"/portal/tickets/{closed.number}"))
    assert "Thank you for rating" in page and "Update rating" in page and "Quick!" in page
    assert '<input checked class="stars__input" id="score-3" name="score"' in page  # the 4th star


def test_rating_through_htmx_swaps_the_rating_and_can_be_changed(client, login_as, customer, closed, db):
    login_as(customer)
    url = f"/portal/tickets/{closed.number}/rating"
    with at(1):
        first = client.post(url, data={"score": "2", "comment": "Slow."}, headers=HTMX)
    body = text(first).strip()
    assert first.status_code == 200 and body.startswith('<section id="rating"') and "<html" not in body
    assert "Your rating is saved" in body and "Update rating" in body
    with at(6):
        changed = client.post(url, data={"score": "5", "comment": "It works now."}, headers=HTMX)
    assert changed.status_code == 200
    rating = rating_of(closed, db)
    assert (rating.score, rating.comment, rating.created_at) == (5, "It works now.", T0 + timedelta(days=1))
    assert [e.data["score"] for e in closed.entries if e.event == "rating"] == [2, 5]


def test_after_the_window_the_rating_is_read_only(client, login_as, customer, closed, db):
    login_as(customer)
    url = f"/portal/tickets/{closed.number}/rating"
    with at(1):
        client.post(url, data={"score": "3", "comment": "OK."})
    with at(8.5):
        refused = client.post(url, data={"score": "5"}, headers=HTMX)
        page = text(client.get(f"/portal/tickets/{closed.number}"))
    assert refused.status_code == 422 and "can no longer be changed" in text(refused)
    assert rating_of(closed, db).score == 3
    assert "3 out of 5" in page and '<form class="rating__form"' not in page and "OK." in page


def test_another_customers_rating_url_is_404_with_no_data(client, login_as, make_customer, closed, db):
    login_as(make_customer(name="Mallory"))
    for headers in ({}, HTMX):
        response = client.post(f"/portal/tickets/{closed.number}/rating", data={"score": "1"}, headers=headers)
        assert response.status_code == 404
        assert "Printer on fire" not in text(response) and "rating" not in text(response).lower()
    assert rating_of(closed, db) is None


def test_only_the_customer_who_asked_can_rate_not_a_colleague_who_sees_it(
    client, login_as, make_customer, make_ticket, agent, db
):
    alice = make_customer(name="Alice Owner", organization="Acme")
    carol = make_customer(name="Carol Colleague", organization="Acme")
    alice.organization.sharing = True
    db.session.commit()
    with at(0):
        ticket = close(make_ticket(alice, subject="Printer on fire"), agent, db)
    url = f"/portal/tickets/{ticket.number}/rating"
    login_as(carol)
    with at(1):
        page = text(client.get(f"/portal/tickets/{ticket.number}"))  # she sees the ticket...
        assert "Printer on fire" in page and '<form class="rating__form"' not in page
        assert "Alice Owner, who asked, can rate this ticket." in page
        for headers in ({}, HTMX):  # ...but cannot rate it, by a crafted post either
            refused = client.post(url, data={"score": "1", "comment": "Bad"}, headers=headers)
            assert refused.status_code == 403
    assert rating_of(ticket, db) is None and not [e for e in ticket.entries if e.event == "rating"]
    client.post("/portal/logout")
    login_as(alice)
    with at(1):
        assert client.post(url, data={"score": "5", "comment": "Great"}).status_code == 303
    client.post("/portal/logout")
    login_as(carol)
    with at(2):  # nor change the owner's rating while its window is open
        assert client.post(url, data={"score": "1"}, headers=HTMX).status_code == 403
        page = text(client.get(f"/portal/tickets/{ticket.number}"))
    rating = rating_of(ticket, db)
    assert (rating.score, rating.comment, rating.customer_id) == (5, "Great", alice.id)
    assert "Rating by Alice Owner" in page and "5 out of 5" in page and '<form class="rating__form"' not in page
    assert [e.data["score"] for e in ticket.entries if e.event == "rating"] == [5]


def test_an_open_ticket_cannot_be_rated(client, login_as, customer, make_ticket, db):
    ticket = make_ticket(customer)
    login_as(customer)
    response = client.post(f"/portal/tickets/{ticket.number}/rating", data={"score": "5"}, headers=HTMX)
    assert response.status_code == 422 and "once it is closed" in text(response)
    plain = client.post(f"/portal/tickets/{ticket.number}/rating", data={"score": "5"})
    assert plain.status_code == 422 and "once it is closed" in text(plain) and "<html" in text(plain)
    assert rating_of(ticket, db) is None and ticket.status.key == "new"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "9"}, "Choose from 1 to 5 stars."),
        ({"score": "0"}, "Choose from 1 to 5 stars."),
        ({}, "Choose from 1 to 5 stars."),
        ({"score": "five"}, "Invalid Choice"),
        ({"score": "4", "comment": "x" * 2001}, "2000"),
    ],
)
def test_crafted_or_invalid_input_is_refused_next_to_the_field(client, login_as, customer, closed, db, data, message):
    login_as(customer)
    response = client.post(f"/portal/tickets/{closed.number}/rating", data=data, headers=HTMX)
    assert response.status_code == 422
    body = text(response)
    assert body.strip().startswith('<section id="rating"') and message in body and "field__error" in body
    assert rating_of(closed, db) is None


def test_agents_see_the_rating_in_the_history(client, login_as, customer, agent, closed):
    login_as(customer)
    client.post(f"/portal/tickets/{closed.number}/rating", data={"score": "4", "comment": "Kind and quick."})
    client.post("/portal/logout")
    login_as(agent)
    assert "Rated 4/5: Kind and quick." in text(client.get(f"/console/tickets/{closed.number}"))
