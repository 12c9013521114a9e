"""Mail to a merged ticket goes on in the ticket it was merged into, as strictly as any other reply."""

import pytest

from shared.models import InboundState
from shared.tickets import merges
from tests.shared.mail.inbound import compose, deliver, history, outbox_ids


@pytest.fixture
def merged(db, agent):
    """Alice wrote twice about the same fire; the second ticket was merged into the first, and
    then the first into a third (a chain)."""
    first = deliver(compose(message_id="<one@alice.example>")).ticket
    second = deliver(compose(message_id="<two@alice.example>", subject="Fire, again")).ticket
    third = deliver(compose(message_id="<three@alice.example>", subject="Fire, still")).ticket
    merges.merge_ticket(second, first, actor=agent)
    db.session.commit()
    return first, second, third


def test_a_reply_to_the_merge_mail_lands_in_the_target(db, merged):
    first, second, _ = merged
    [merge_mail] = outbox_ids(second, "alice@example.com", "ticket_merged")
    before = len(history(second))
    inbound = deliver(compose(subject="Re: merged", in_reply_to=merge_mail, body="Thanks, I will watch #1."))
    assert inbound.state == InboundState.PROCESSED and inbound.ticket is first
    assert history(first)[-1].body == "Thanks, I will watch #1." and history(first)[-1].channel == "email"
    assert len(history(second)) == before


def test_threading_follows_a_chain_of_merges_by_message_id_and_by_subject_tag(db, merged, agent):
    first, second, third = merged
    merges.merge_ticket(first, third, actor=agent)
    db.session.commit()
    by_id = deliver(compose(subject="Re: Fire, again", references="<two@alice.example>", body="By id."))
    assert by_id.ticket is third and history(third)[-1].body == "By id."
    by_tag = deliver(compose(subject=f"[#{second.number}] any news?", body="By tag."))
    assert by_tag.ticket is third and history(third)[-1].body == "By tag."


def test_a_stranger_quoting_the_merged_ticket_is_held_on_the_target(db, merged):
    first, _second, _ = merged
    inbound = deliver(
        compose(sender="Mallory <mallory@example.com>", subject="let me in", references="<two@alice.example>")
    )
    assert inbound.state == InboundState.HELD and inbound.ticket is first


def test_a_strangers_tag_for_the_merged_ticket_is_no_tag(db, merged):
    first, second, third = merged
    inbound = deliver(compose(sender="Mallory <mallory@example.com>", subject=f"[#{second.number}] let me in"))
    assert inbound.state == InboundState.PROCESSED and inbound.ticket not in (first, second, third)
