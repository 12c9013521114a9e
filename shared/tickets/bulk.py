"""Changing many tickets at once: the same verbs as the ticket page, one ticket at a time, so
every ticket gets its own history entries and its rules run as if an agent had changed it alone."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from flask_babel import gettext, ngettext
from sqlalchemy import select

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.i18n import current_locale
from shared.models import Agent, Status, Ticket
from shared.records import catalog
from shared.tickets import properties


class Keep(Enum):
    """The assignee field's "leave it as it is" (None already means "nobody")."""

    ASSIGNEE = "keep"


KEEP = Keep.ASSIGNEE
MAX_TICKETS = 500


@dataclass
class BulkOutcome:
    """What a bulk change did: how many tickets each change actually moved, and the ones refused."""

    assignee: Agent | Keep | None = KEEP
    status: Status | None = None
    priority: str | None = None
    assigned: int = 0
    moved: int = 0
    reprioritized: int = 0
    refused: list[int] = field(default_factory=list)

    def messages(self) -> list[tuple[str, str]]:
        """One (line, flash category) per change, such as "3 tickets closed.", for the agent who asked."""
        lines = []
        if self.assignee is None:
            lines.append(ngettext("%(num)d ticket unassigned.", "%(num)d tickets unassigned.", self.assigned))
        elif self.assignee is not KEEP:
            lines.append(
                ngettext(
                    "%(num)d ticket assigned to %(name)s.",
                    "%(num)d tickets assigned to %(name)s.",
                    self.assigned,
                    name=self.assignee.display_name,
                )
            )
        if self.status is not None and self.status.is_closed:
            lines.append(ngettext("%(num)d ticket closed.", "%(num)d tickets closed.", self.moved))
        elif self.status is not None:
            lines.append(
                ngettext(
                    "%(num)d ticket moved to %(status)s.",
                    "%(num)d tickets moved to %(status)s.",
                    self.moved,
                    status=self.status.label(current_locale()),
                )
            )
        if self.priority is not None:
            lines.append(
                ngettext(
                    "%(num)d ticket set to %(priority)s priority.",
                    "%(num)d tickets set to %(priority)s priority.",
                    self.reprioritized,
                    priority=catalog.priority_label(self.priority).lower(),
                )
            )
        messages = [(line, "success") for line in lines]
        if self.refused:
            numbers = ", ".join(f"#{n}" for n in self.refused)
            refused = gettext("Not changed (no such ticket, or not yours to change): %(numbers)s.", numbers=numbers)
            messages.append((refused, "warning"))
        return messages


def update_tickets(
    numbers: Iterable[int],
    *,
    actor: Agent,
    assignee: Agent | Keep | None = KEEP,
    status: Status | None = None,
    priority: str | None = None,
) -> BulkOutcome:
    """Assign, move and re-prioritise the tickets with these numbers, each through the verb the
    ticket page's side panel uses (`properties.update`: assigning first, so an explicit status
    wins over rule 2's)."""
    wanted = sorted(set(numbers))
    if not wanted:
        raise DomainError(gettext("Select at least one ticket."), field="ticket")
    if len(wanted) > MAX_TICKETS:
        raise DomainError(
            ngettext("Change at most %(num)d ticket at once.", "Change at most %(num)d tickets at once.", MAX_TICKETS),
            field="ticket",
        )
    if assignee is KEEP and status is None and priority is None:
        raise DomainError(gettext("Choose what to change."))
    changes: properties.Changes = {}
    if assignee is not KEEP:
        changes["assignee"] = assignee
    if status is not None:
        changes["status"] = status
    if priority is not None:
        changes["priority"] = priority
    found = {t.number: t for t in db.session.scalars(select(Ticket).where(Ticket.number.in_(wanted)))}
    outcome = BulkOutcome(assignee=assignee, status=status, priority=priority)
    for number in wanted:
        ticket = found.get(number)
        if ticket is None or not permissions.can_update_ticket(actor, ticket):
            outcome.refused.append(number)
            continue
        changed = properties.update(ticket, changes, actor=actor)
        outcome.assigned += "assignee" in changed
        outcome.moved += "status" in changed
        outcome.reprioritized += "priority" in changed
    return outcome
