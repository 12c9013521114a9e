"""A merged ticket in the portal: the pointer, and replies that go where the request continues."""

from shared.models import Entry
from shared.tickets import merges
from tests.merging import merge_as_before


def test_the_customer_sees_merged_into_and_a_reply_lands_in_the_target(
    client, login_as, agent, customer, make_ticket, db
):
    target = make_ticket(customer, subject="Printer on fire")
    duplicate = make_ticket(customer, subject="Printer still on fire")
    merges.merge_ticket(duplicate, target, actor=agent)
    db.session.commit()
    login_as(customer)
    page = client.get(f"/portal/tickets/{duplicate.number}").get_data(as_text=True)
    assert 'id="merged-notice"' in page and f'href="/portal/tickets/{target.number}">#{target.number}</a>' in page
    assert "Your reply reopens it" not in page and 'id="rating"' not in page
    assert "Linked" not in page and "merged_into" not in page  # no internal events

    response = client.post(f"/portal/tickets/{duplicate.number}/reply", data={"body": "Still smoking."})
    entry = db.session.scalars(db.select(Entry).order_by(Entry.id.desc())).first()
    assert entry.ticket_id == target.id and entry.body == "Still smoking."
    assert response.status_code == 303
    assert response.headers["Location"] == f"/portal/tickets/{target.number}#e{entry.id}"
    assert f"#{duplicate.number} continues here" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_old_merge_into_another_customers_ticket_never_shows_it_and_the_reply_stays_home(
    client, login_as, agent, customer, make_customer, make_ticket, db
):
    """Merges across customers are refused now (tests/shared/tickets/test_merges.py); older desks hold some."""
    target = make_ticket(customer, subject="Invoice 4711 is wrong")
    stranger = make_customer("sam@example.com")
    duplicate = make_ticket(stranger, subject="My invoice")
    merge_as_before(duplicate, target, agent=agent)
    login_as(stranger)
    page = client.get(f"/portal/tickets/{duplicate.number}").get_data(as_text=True)
    assert "Merged with another request" in page and "This ticket is closed. Your reply reopens it" in page
    assert f"#{target.number}" not in page and "Invoice 4711" not in page
    assert client.get(f"/portal/tickets/{target.number}").status_code == 404

    response = client.post(f"/portal/tickets/{duplicate.number}/reply", data={"body": "Any news?"})
    entry = db.session.scalar(db.select(Entry).where(Entry.body == "Any news?"))
    assert entry.ticket_id == duplicate.id and entry.customer_id == stranger.id
    assert (
        response.status_code == 303
        and response.headers["Location"] == f"/portal/tickets/{duplicate.number}#e{entry.id}"
    )
    assert "Any news?" in client.get(response.headers["Location"]).get_data(as_text=True)
