"""Saved views: names checked, a cap per agent, each agent's own, counts as the list counts."""

import pytest

from shared.core.errors import DomainError
from shared.queues import saved_views
from shared.tickets import properties


def test_a_view_keeps_the_address_without_the_page_and_counts_like_its_list(db, agent, customer, make_ticket):
    urgent = make_ticket(customer)
    make_ticket(customer)
    properties.change_priority(urgent, "urgent", actor=agent)
    view = saved_views.save_view(agent, "  Hot   stuff ", "?queue=unassigned&priority=urgent&page=3&junk=1")
    db.session.commit()
    assert (view.name, view.query) == ("Hot stuff", "queue=unassigned&priority=urgent")
    assert saved_views.with_counts(agent) == [(view, 1)]
    properties.change_priority(urgent, "normal", actor=agent)
    assert saved_views.with_counts(agent) == [(view, 0)]


def test_names_are_checked_and_unique_per_agent_whatever_the_case(db, agent, make_agent):
    saved_views.save_view(agent, "Urgent", "queue=mine")
    for name, message in (("   ", "Give the view a name."), ("x" * 61, "60 characters"), ("urgent", "already have")):
        with pytest.raises(DomainError, match=message):
            saved_views.save_view(agent, name, "")
    colleague = make_agent("cy@desk.example")
    assert saved_views.save_view(colleague, "URGENT", "").agent_id == colleague.id
    assert [v.name for v in saved_views.views_for(agent)] == ["Urgent"]
    assert saved_views.find_view(colleague, saved_views.views_for(agent)[0].id) is None


def test_an_agent_keeps_at_most_twenty_views_and_no_unknown_queue(db, agent):
    for n in range(saved_views.VIEWS_MAX):
        saved_views.save_view(agent, f"View {n}", "")
    with pytest.raises(DomainError, match="up to 20 views"):
        saved_views.save_view(agent, "One more", "")
    with pytest.raises(DomainError, match="no longer exists"):
        saved_views.save_view(agent, "Gone", "queue=status:nope")


def test_the_view_at_an_address_is_the_agents_own_whatever_the_argument_order(db, agent, make_agent):
    colleague = make_agent("cleo@desk.example", name="Cleo")
    view = saved_views.save_view(agent, "Hot", "queue=mine&priority=urgent")
    assert saved_views.view_at(agent, "priority=urgent&queue=mine&page=3") is view
    assert saved_views.view_at(agent, "queue=mine") is None
    assert saved_views.view_at(colleague, "queue=mine&priority=urgent") is None
