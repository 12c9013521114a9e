"""Links and merges over HTTP: plain form posts (303), htmx swaps of the links card, refusals beside the field."""

import pytest

from shared.models import Status, Ticket
from shared.tickets import links, merges
from tests.logins import enter_session

HX = {"HX-Request": "true"}


@pytest.fixture
def two(customer, make_customer, make_ticket) -> tuple[Ticket, Ticket]:
    return make_ticket(customer, subject="VPN drops"), make_ticket(make_customer(), subject="VPN slow at night")


def test_linking_without_javascript_redirects_to_the_page_which_lists_the_link(client, login_as, agent, two):
    one, other = two
    login_as(agent)
    response = client.post(f"/console/tickets/{one.number}/links", data={"number": f"#{other.number}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/console/tickets/{one.number}#ticket-links"
    page = client.get(f"/console/tickets/{one.number}").get_data(as_text=True)
    assert f"#{other.number}</span> VPN slow at night" in page
    assert f"Linked related ticket #{other.number}" in page
    assert f"Linked related ticket #{one.number}" in client.get(f"/console/tickets/{other.number}").get_data(
        as_text=True
    )


def test_with_htmx_the_card_comes_back_with_the_new_events_out_of_band(client, login_as, agent, two):
    one, other = two
    login_as(agent)
    response = client.post(
        f"/console/tickets/{one.number}/links", data={"number": str(other.number), "relation": "incident"}, headers=HX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card links" id="ticket-links"')
    assert "Incidents" in html and 'hx-swap-oob="beforeend"' in html and f"Linked incident #{other.number}" in html
    assert "<html" not in html
    assert links.links_of(one).incidents == [other]

    removed = client.post(f"/console/tickets/{one.number}/links/remove", data={"other": other.number}, headers=HX)
    assert removed.status_code == 200 and f"Unlinked incident #{other.number}" in removed.get_data(as_text=True)
    assert links.links_of(one).empty


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a ticket number."),
        ("12ab", "“12ab” is not a ticket number."),
        ("99999", "There is no ticket #99999."),
    ],
)
def test_a_bad_number_is_refused_beside_the_field_and_kept(client, login_as, agent, two, typed, message):
    one, _ = two
    login_as(agent)
    for headers in ({}, HX):
        response = client.post(f"/console/tickets/{one.number}/links", data={"number": typed}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and f'id="link-number-error">{message}</p>' in html
        assert f'name="number" placeholder="1042" type="text" value="{typed}"' in html
        assert ("<html" in html) == (headers == {})


def test_linking_to_itself_or_twice_says_so(client, login_as, agent, two):
    one, other = two
    login_as(agent)
    itself = client.post(f"/console/tickets/{one.number}/links", data={"number": one.number}, headers=HX)
    assert itself.status_code == 422 and "A ticket cannot be linked to itself." in itself.get_data(as_text=True)
    client.post(f"/console/tickets/{one.number}/links", data={"number": other.number})
    twice = client.post(f"/console/tickets/{other.number}/links", data={"number": one.number}, headers=HX)
    assert twice.status_code == 422 and f"#{one.number} is already linked." in twice.get_data(as_text=True)


def test_marking_a_problem_and_unlinking_something_not_linked(client, login_as, agent, two):
    one, other = two
    login_as(agent)
    assert client.post(f"/console/tickets/{one.number}/problem", data={"on": "1"}).status_code == 303
    assert one.is_problem
    page = client.get(f"/console/tickets/{one.number}").get_data(as_text=True)
    assert "Marked as a problem" in page and "Not a problem" in page
    refused = client.post(f"/console/tickets/{one.number}/links/remove", data={"other": other.number}, headers=HX)
    assert refused.status_code == 422 and f"#{other.number} is not linked to this ticket." in refused.get_data(
        as_text=True
    )
    assert client.post(f"/console/tickets/{one.number}/links/remove", data={"other": 4242}).status_code == 404


def test_merging_asks_first_then_merges_and_the_page_says_where_it_went(client, login_as, agent, customer, make_ticket):
    target = make_ticket(customer, subject="Printer on fire")
    duplicate = make_ticket(customer, subject="Printer still on fire")
    login_as(agent)
    url = f"/console/tickets/{duplicate.number}/merge"

    asked = client.post(url, data={"number": target.number})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<html" in html
    assert f"Merge #{duplicate.number} into #{target.number}" in html and 'name="confirm" value="yes"' in html
    assert duplicate.merged_into is None

    asked = client.post(url, data={"number": target.number}, headers=HX)
    assert asked.status_code == 200 and asked.get_data(as_text=True).lstrip().startswith("<section")

    done = client.post(url, data={"number": target.number, "confirm": "yes"}, headers=HX)
    assert done.status_code == 204 and done.headers["HX-Redirect"] == f"/console/tickets/{duplicate.number}"
    assert duplicate.merged_into is target and duplicate.status.key == "closed"
    page = client.get(f"/console/tickets/{duplicate.number}").get_data(as_text=True)
    assert 'id="merged-notice"' in page and f"#{target.number}</a>" in page
    assert f"#{duplicate.number} is merged into #{target.number}." in page
    target_page = client.get(f"/console/tickets/{target.number}").get_data(as_text=True)
    assert "Merged into this ticket" in target_page
    assert f'href="/console/tickets/{duplicate.number}"' in target_page
    assert f"#{duplicate.number} “Printer still on fire” was merged into this ticket" in target_page.replace(
        "&#8220;", "“"
    ).replace("&#8221;", "”")
    queue = client.get("/console/?queue=all_open").get_data(as_text=True)
    assert f'data-number="{duplicate.number}"' not in queue and f'data-number="{target.number}"' in queue


def test_merge_refusals_without_javascript_keep_the_page(client, login_as, agent, customer, make_ticket, db):
    a, b = make_ticket(customer, subject="A"), make_ticket(customer, subject="B")
    merges.merge_ticket(a, b, actor=agent)
    db.session.commit()
    login_as(agent)
    itself = client.post(f"/console/tickets/{b.number}/merge", data={"number": b.number, "confirm": "yes"})
    assert itself.status_code == 422 and "cannot be merged into itself" in itself.get_data(as_text=True)
    cycle = client.post(f"/console/tickets/{b.number}/merge", data={"number": a.number})
    assert cycle.status_code == 422 and f"#{a.number} was itself merged into #{b.number}" in cycle.get_data(
        as_text=True
    )
    assert b.merged_into is None


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_every_change_without_the_token_is_refused(self, client, agent, two):
        one, other = two
        enter_session(client, agent)
        base = f"/console/tickets/{one.number}"
        assert client.post(f"{base}/links", data={"number": other.number}).status_code == 400
        assert client.post(f"{base}/links/remove", data={"other": other.number}).status_code == 400
        assert client.post(f"{base}/problem", data={"on": "1"}).status_code == 400
        assert client.post(f"{base}/merge", data={"number": other.number, "confirm": "yes"}).status_code == 400
        assert links.links_of(one).empty and one.merged_into is None and not one.is_problem


def test_customers_never_reach_the_links_actions(client, login_as, customer, two):
    one, other = two
    login_as(customer)
    response = client.post(f"/console/tickets/{one.number}/links", data={"number": other.number})
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
    assert links.links_of(one).empty


def test_replying_and_closing_a_problem_from_the_page_answers_its_incidents(
    client, login_as, agent, customer, make_customer, make_ticket, db, outbox
):
    problem = make_ticket(customer, subject="Mail server down")
    incident = make_ticket(make_customer("ida@example.com"), subject="No mail since nine")
    links.link_incident(problem, incident, actor=agent)
    db.session.commit()
    login_as(agent)
    closed = next(s for s in db.session.scalars(db.select(Status)) if s.key == "closed")
    response = client.post(
        f"/console/tickets/{problem.number}/reply",
        data={"visibility": "public", "body": "We replaced the mail server.", "status": closed.id},
        headers=HX,
    )
    assert response.status_code == 200
    assert f'href="/console/tickets/{incident.number}">#{incident.number}</a>' in response.get_data(as_text=True)
    [answer] = [e for e in incident.entries if e.kind == "message" and e.agent_id == agent.id]
    assert answer.body == "We replaced the mail server." and answer.is_public
    assert [m.template for m in outbox() if m.to_addr == "ida@example.com"][-1] == "agent_reply"


def test_merging_into_another_customers_ticket_is_refused_with_an_offer_to_link(
    client, login_as, agent, customer, make_customer, make_ticket, db
):
    target = make_ticket(customer, subject="Invoice 4711 is wrong")
    duplicate = make_ticket(make_customer("sam@example.com", name="Sam Stone"), subject="My invoice")
    login_as(agent)
    url = f"/console/tickets/{duplicate.number}/merge"
    for headers, data in (
        (HX, {"number": target.number}),
        (HX, {"number": target.number, "confirm": "yes"}),  # a crafted confirmation: refused all the same
        ({}, {"number": target.number, "confirm": "yes"}),
    ):
        refused = client.post(url, data=data, headers=headers)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422, html
        assert f"#{target.number} is Alice Archer's ticket, not Sam Stone's" in html.replace("&#39;", "'")
        assert 'id="link-offer"' in html and f'name="number" value="{target.number}"' in html
        assert 'name="relation" value="related"' in html and 'name="confirm" value="yes"' not in html
        assert html.lstrip().startswith("<section") == bool(headers)
        assert duplicate.merged_into is None and duplicate.status.key != "closed"
    linked = client.post(
        f"/console/tickets/{duplicate.number}/links", data={"number": target.number, "relation": "related"}, headers=HX
    )
    assert linked.status_code == 200 and links.links_of(duplicate).related == [target]
    assert 'id="link-offer"' not in linked.get_data(as_text=True)


def test_merging_within_a_sharing_organization_says_who_reads_the_target(
    client, login_as, agent, make_customer, make_ticket, db
):
    alice = make_customer("alice@acme.example", name="Alice Archer", organization="Acme Corp")
    cleo = make_customer("cleo@acme.example", name="Cleo Chen", organization="Acme Corp")
    target, duplicate = make_ticket(alice, subject="VPN down"), make_ticket(cleo, subject="No VPN")
    login_as(agent)
    url = f"/console/tickets/{duplicate.number}/merge"
    refused = client.post(url, data={"number": target.number}, headers=HX)
    assert refused.status_code == 422 and 'id="link-offer"' in refused.get_data(as_text=True)  # not sharing yet
    alice.organization.sharing = True
    db.session.commit()
    asked = client.post(url, data={"number": target.number}, headers=HX).get_data(as_text=True)
    assert "Cleo Chen can read it too, because Acme Corp shares its tickets" in asked and 'id="link-offer"' not in asked
