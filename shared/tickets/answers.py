"""An agent's answer from the reply box: a public reply or an internal note, the status the agent
chose and the time spent on it, as one verb so the three land in one transaction or not at all."""

from shared.models import Agent, Entry, Status, Ticket
from shared.tickets import conversation, properties, time_tracking
from shared.tickets.attachments import Upload


def answer(
    ticket: Ticket,
    *,
    actor: Agent,
    body: str,
    internal: bool,
    uploads: list[Upload] | None = None,
    status: Status | None = None,
    minutes: int | None = None,
) -> Entry:
    """A public reply passes the chosen status to the rules, where the explicit choice wins; a note
    does not move the ticket by itself, so the choice is applied after it."""
    if internal:
        entry = conversation.add_internal_note(ticket, actor=actor, body=body, uploads=uploads)
        if status is not None:
            properties.change_status(ticket, status, actor=actor)
    else:
        entry = conversation.post_reply(ticket, actor=actor, body=body, uploads=uploads, status=status)
    if minutes is not None:
        time_tracking.log(ticket, actor, minutes, entry=entry)
    return entry
