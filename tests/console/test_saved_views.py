"""Saved views over HTTP: save from the list, see it with its count in the sidebar, delete it."""

import pytest

from shared.models import SavedView
from shared.queues import saved_views
from shared.tickets import properties
from tests.logins import enter_session


def test_saving_without_javascript_redirects_to_the_same_list(client, login_as, agent, db):
    login_as(agent)
    page = client.get("/console/?queue=unassigned&priority=urgent").get_data(as_text=True)
    assert 'name="query" type="hidden" value="queue=unassigned&amp;priority=urgent"' in page
    response = client.post("/console/views", data={"name": "Hot", "query": "queue=unassigned&priority=urgent"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/?queue=unassigned&priority=urgent"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "My views" in page and "“Hot” is saved in My views." in page
    again = client.post("/console/views", data={"name": "hot", "query": "queue=mine"})
    assert again.status_code == 422 and "You already have a view named" in again.get_data(as_text=True)
    assert "<html" in again.get_data(as_text=True)


def test_with_htmx_the_form_and_the_sidebar_come_back_and_counts_follow_tickets(
    client, login_as, agent, customer, make_ticket, db
):
    ticket = make_ticket(customer)
    login_as(agent)
    hx = {"HX-Request": "true"}
    response = client.post("/console/views", data={"name": "Urgent", "query": "priority=urgent"}, headers=hx)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<form id="save-view"')
    assert 'id="queue-nav"' in html and 'hx-swap-oob="true"' in html
    view = db.session.scalars(db.select(SavedView)).one()

    def count() -> str:
        sidebar = client.get("/console/queues/counts", headers=hx).get_data(as_text=True)
        item = sidebar.split(f'data-view="{view.id}"')[1]
        return item.split('sidebar__count">')[1].split("<")[0]

    assert count() == "0"
    properties.change_priority(ticket, "urgent", actor=agent)
    db.session.commit()
    assert count() == "1"
    refused = client.post("/console/views", data={"name": " ", "query": ""}, headers=hx)
    assert refused.status_code == 422 and "Give the view a name." in refused.get_data(as_text=True)

    deleted = client.post(f"/console/views/{view.id}/delete", headers=hx)
    assert deleted.status_code == 200 and "My views" not in deleted.get_data(as_text=True)
    assert db.session.scalars(db.select(SavedView)).all() == []


def test_a_colleagues_view_is_not_found_nor_shown(client, login_as, agent, make_agent, db):
    theirs = saved_views.save_view(make_agent("cy@desk.example"), "Cy's", "queue=mine")
    db.session.commit()
    login_as(agent)
    assert "Cy&#39;s" not in client.get("/console/").get_data(as_text=True)
    assert client.post(f"/console/views/{theirs.id}/delete").status_code == 404
    assert db.session.get(SavedView, theirs.id) is not None


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_saving_and_deleting_without_the_token_are_refused(self, client, agent, db):
        view = saved_views.save_view(agent, "Mine", "queue=mine")
        db.session.commit()
        enter_session(client, agent)
        assert client.post("/console/views", data={"name": "X", "query": ""}).status_code == 400
        assert client.post(f"/console/views/{view.id}/delete").status_code == 400
        assert [v.name for v in saved_views.views_for(agent)] == ["Mine"]


def test_a_saved_view_titles_its_list_page_and_fragment_with_its_name_escaped(client, login_as, agent, db):
    login_as(agent)
    name = "Mine & <b>urgent</b>"
    client.post("/console/views", data={"name": name, "query": "priority=urgent&queue=mine"})
    page = client.get("/console/?queue=mine&priority=urgent").get_data(as_text=True)
    escaped = "Mine &amp; &lt;b&gt;urgent&lt;/b&gt;"
    assert f"<title>{escaped} · " in page and f'<h1 id="queue-title">{escaped} <span' in page
    assert "<b>urgent</b>" not in page
    fragment = client.get("/console/?queue=mine&priority=urgent", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith(f"<title>{escaped} · ")
    # The same queue with other filters is no longer the view: it has the queue's own name.
    other = client.get("/console/?queue=mine&priority=high").get_data(as_text=True)
    assert "<title>Mine · " in other and '<h1 id="queue-title">Mine <span' in other
