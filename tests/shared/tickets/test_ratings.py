"""Rating closed tickets: who may, what scores, the change window, and the history it leaves."""

from datetime import timedelta

import pytest

from shared.access.permissions import public_entries
from shared.core.errors import DomainError
from shared.models import Rating
from shared.tickets import ratings
from tests.shared.tickets.rulekit import T0, at


def rating_events(ticket) -> list[dict]:
    return [e.data for e in ticket.entries if e.event == "rating"]


@pytest.fixture
def closed(customer, make_ticket, put_in, db):
    with at(0):
        ticket = make_ticket(customer)
        put_in(ticket, "closed")
    return ticket


def rate(ticket, actor, score=4, comment="", *, days=1.0):
    with at(days):
        rating = ratings.rate_ticket(ticket, actor=actor, score=score, comment=comment)
    return rating


def test_rating_a_closed_ticket_keeps_its_status_and_is_recorded_for_agents(customer, closed, db):
    before = (closed.status.key, closed.last_public_by, closed.last_public_at)
    rating = rate(closed, customer, 4, "  Quick and kind.  ")
    db.session.commit()
    assert (rating.score, rating.comment, rating.customer) == (4, "Quick and kind.", customer)
    assert rating.created_at == rating.updated_at == T0 + timedelta(days=1)
    assert (closed.status.key, closed.last_public_by, closed.last_public_at) == before
    assert rating_events(closed) == [{"score": 4, "comment": "Quick and kind."}]
    [event] = [e for e in closed.entries if e.event == "rating"]
    assert event.customer == customer and not event.is_public
    assert event not in public_entries(closed)


def test_changing_within_the_window_updates_the_rating_and_appends_history(customer, closed, db):
    rate(closed, customer, 2, "Slow.", days=1)
    rating = rate(closed, customer, 5, "Actually it works great now.", days=7.9)
    db.session.commit()
    assert db.session.query(Rating).count() == 1
    assert (rating.score, rating.comment) == (5, "Actually it works great now.")
    assert rating.created_at == T0 + timedelta(days=1)
    assert rating.updated_at == T0 + timedelta(days=7.9)
    assert rating_events(closed) == [
        {"score": 2, "comment": "Slow."},
        {"score": 5, "comment": "Actually it works great now."},
    ]


def test_the_window_counts_from_the_first_rating_not_the_last_change(customer, closed):
    rate(closed, customer, 3, days=1)
    rate(closed, customer, 4, days=7)
    with pytest.raises(DomainError, match="can no longer be changed"):
        rate(closed, customer, 5, days=8)
    assert ratings.rating_for(closed).score == 4


def test_resubmitting_the_same_rating_adds_nothing(customer, closed):
    rate(closed, customer, 4, "Fine.")
    rate(closed, customer, 4, "Fine.", days=2)
    assert len(rating_events(closed)) == 1


@pytest.mark.parametrize("score", [0, 6, 9, -1, True, None, "4"])
def test_the_score_is_one_to_five(customer, closed, score):
    with pytest.raises(DomainError) as error:
        rate(closed, customer, score)
    assert error.value.field == "score"
    assert ratings.rating_for(closed) is None


def test_the_comment_has_a_limit(customer, closed):
    with pytest.raises(DomainError) as error:
        rate(closed, customer, 3, "x" * (ratings.COMMENT_MAX + 1))
    assert error.value.field == "comment"
    assert rate(closed, customer, 3, "x" * ratings.COMMENT_MAX).comment == "x" * ratings.COMMENT_MAX


def test_only_a_closed_ticket_can_be_rated(customer, make_ticket, put_in):
    ticket = make_ticket(customer)
    for key in ("new", "waiting", "feature_filed"):
        put_in(ticket, key)
        with pytest.raises(DomainError, match="once it is closed"):
            rate(ticket, customer)


def test_others_cannot_rate(closed, make_customer, agent):
    with pytest.raises(DomainError, match="cannot rate"):
        rate(closed, make_customer())
    with pytest.raises(DomainError, match="cannot rate"):
        rate(closed, agent)
    assert ratings.rating_for(closed) is None


def test_a_colleague_in_a_sharing_organization_may_not_rate(make_customer, make_ticket, put_in, db):
    """Only the customer who asked rates: a colleague who sees the ticket does not speak for them."""
    alice, carol = make_customer(organization="Acme"), make_customer(organization="Acme")
    alice.organization.sharing = True
    ticket = put_in(make_ticket(alice), "closed")
    with pytest.raises(DomainError, match="cannot rate"):
        rate(ticket, carol)
    assert not ratings.rating_state(ticket, carol).open and ratings.rating_state(ticket, alice).open
    rate(ticket, alice, 5)
    with pytest.raises(DomainError, match="cannot rate"):
        rate(ticket, carol, 1)
    assert ratings.rating_for(ticket).score == 5 and ratings.rating_for(ticket).customer == alice


def test_the_page_state_follows_the_window(customer, closed, app):
    state = ratings.rating_state(closed)
    assert (state.rating, state.open, state.deadline) == (None, True, None)
    rate(closed, customer, 4, days=1)
    with at(7.9):
        state = ratings.rating_state(closed)
        assert state.open and state.deadline == T0 + timedelta(days=8)
    with at(8):
        assert not ratings.rating_state(closed).open


class TestConfiguredWindow:
    @pytest.fixture
    def app_config(self):
        return {"RATING_CHANGE_DAYS": 1}

    def test_the_window_is_configurable(self, customer, closed):
        rate(closed, customer, 4, days=1)
        with pytest.raises(DomainError):
            rate(closed, customer, 5, days=2)
