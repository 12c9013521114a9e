"""The canned-replies page and the reply box's search over HTTP."""

import pytest

from shared.models import CannedReply
from shared.tickets import canned
from tests.logins import enter_session


@pytest.fixture
def colleague(make_agent):
    return make_agent("cy@desk.example", name="Cy Colleague")


def test_an_agent_adds_edits_and_deletes_a_personal_reply(client, login_as, agent, db):
    login_as(agent)
    page = client.get("/console/canned").get_data(as_text=True)
    assert "No canned replies yet." in page and "Shared with every agent" not in page  # not an admin
    response = client.post("/console/canned", data={"title": "Thanks", "body": "Thanks, {customer_name}!"})
    assert response.status_code == 303 and response.headers["Location"] == "/console/canned"
    reply = db.session.scalars(db.select(CannedReply)).one()
    assert (reply.owner_id, reply.title) == (agent.id, "Thanks")
    assert "Thanks, {customer_name}!" in client.get("/console/canned").get_data(as_text=True)

    response = client.post(f"/console/canned/{reply.id}", data={"title": "Thank you", "body": "Cheers"})
    assert response.status_code == 303 and (reply.title, reply.body) == ("Thank you", "Cheers")
    assert client.post(f"/console/canned/{reply.id}/delete").status_code == 303
    assert db.session.scalars(db.select(CannedReply)).all() == []


def test_a_missing_title_is_shown_beside_the_form(client, login_as, agent):
    login_as(agent)
    response = client.post("/console/canned", data={"title": "", "body": "text"})
    assert response.status_code == 422 and "field--error" in response.get_data(as_text=True)


def test_only_admins_make_shared_replies(client, login_as, agent, make_agent, db):
    login_as(agent)
    response = client.post("/console/canned", data={"title": "All", "body": "For all", "shared": "y"})
    assert response.status_code == 422 and "Only admins add shared canned replies." in response.get_data(as_text=True)
    admin = make_agent("ada@desk.example", is_admin=True)
    login_as(admin)
    assert "Shared with every agent" in client.get("/console/canned").get_data(as_text=True)
    client.post("/console/canned", data={"title": "All", "body": "For all", "shared": "y"})
    assert db.session.scalars(db.select(CannedReply.owner_id)).all() == [None]


def test_a_colleagues_personal_reply_is_not_found_and_a_shared_one_not_editable(
    client, login_as, agent, colleague, make_agent, db
):
    theirs = canned.create_canned("Cy's", "Private", shared=False, actor=colleague)
    shared = canned.create_canned("Hours", "9 to 5", shared=True, actor=make_agent("ada@desk.example", is_admin=True))
    db.session.commit()
    login_as(agent)
    page = client.get("/console/canned").get_data(as_text=True)
    assert "Hours" in page and "Private" not in page
    assert f"/console/canned/{shared.id}" not in page  # no edit link
    for path in (f"/console/canned/{theirs.id}", f"/console/canned/{shared.id}"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"title": "x", "body": "y"}).status_code == 404
        assert client.post(f"{path}/delete").status_code == 404
    assert (theirs.title, shared.title) == ("Cy's", "Hours")


def test_the_search_answers_a_fragment_to_htmx_and_a_page_otherwise(
    client, login_as, agent, colleague, customer, make_ticket, db
):
    ticket = make_ticket(customer)
    canned.create_canned("Greeting", "Hello {customer_name}, {agent_name} here.", shared=False, actor=agent)
    canned.create_canned("Greeting (Cy)", "Not yours", shared=False, actor=colleague)
    db.session.commit()
    login_as(agent)
    url = f"/console/tickets/{ticket.number}/canned?q=greet"
    fragment = client.get(url, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith('<div id="canned-results"')
    assert 'role="option"' in html and "Hello Alice Archer, Bob Baker here." in html and "Not yours" not in html
    assert "HX-Request" in fragment.headers.get("Vary", "")
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "<textarea" in page and "Hello Alice Archer, Bob Baker here." in page
    none = client.get(f"/console/tickets/{ticket.number}/canned?q=zzz", headers={"HX-Request": "true"})
    assert "No canned reply matches" in none.get_data(as_text=True)
    assert client.get("/console/tickets/9999/canned?q=greet").status_code == 404


def test_the_ticket_page_offers_the_search_in_the_reply_box(client, login_as, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    login_as(agent)
    page = client.get(f"/console/tickets/{ticket.number}").get_data(as_text=True)
    assert 'id="canned-q"' in page and f'action="/console/tickets/{ticket.number}/canned"' in page
    assert 'href="/console/canned"' in client.get("/console/").get_data(as_text=True)


class TestWithCsrf:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"WTF_CSRF_ENABLED": True}

    def test_changes_without_the_token_are_refused(self, client, agent, db):
        reply = canned.create_canned("Mine", "Text", shared=False, actor=agent)
        db.session.commit()
        enter_session(client, agent)
        for path in ("/console/canned", f"/console/canned/{reply.id}", f"/console/canned/{reply.id}/delete"):
            assert client.post(path, data={"title": "x", "body": "y"}).status_code in (400, 422)
        assert (reply.title, db.session.scalars(db.select(CannedReply)).all()) == ("Mine", [reply])
