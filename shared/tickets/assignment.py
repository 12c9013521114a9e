"""Who works a ticket: an agent assigns it by hand (`assign_ticket`), or a department's new (or newly
moved, unassigned) tickets go to one of its agents by the department's strategy, and the history says
who got it and why the others did not.

- *manual*: nobody is picked; the ticket waits in the Unassigned queue.
- *round-robin*: the members take turns in a fixed order (by id). The department row stores who
  got the last ticket and is locked while the next one is chosen (SELECT … FOR UPDATE on
  PostgreSQL; on SQLite the write transaction already serialises), so two tickets opened at the
  same moment never go to the same turn.
- *least open*: the member with the fewest open tickets; ties go to whoever waited longest since
  their last assignment.

Deactivated agents are left out silently; agents marked away and agents holding their open-ticket
cap are skipped and named in the reason. Admins edit members, strategies and caps here too; each
change is audited.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select, update

from shared.access import permissions
from shared.core import bounds
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import STRATEGIES, Agent, Category, Department, Status, Ticket, utcnow
from shared.records import audit
from shared.records.history import record_event
from shared.tickets import rules

# The largest cap an admin can set: beyond it a cap means nothing.
CAP_MAX = 1000


@dataclass
class Choice:
    """Who gets the ticket (or nobody) and the members passed over, as (agent, why, cap) triples."""

    agent: Agent | None
    skipped: list[tuple[Agent, str, int | None]] = field(default_factory=list)


def _open_counts(agent_ids: list[int]) -> dict[int, int]:
    """Each agent's open tickets, counted in the (assignee, status) index over the open statuses
    only: the closed tickets, most of a desk's, are never read."""
    open_statuses = select(Status.id).where(Status.category != Category.CLOSED)
    query = (
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(agent_ids), Ticket.status_id.in_(open_statuses))
        .group_by(Ticket.assignee_id)
    )
    return dict(db.session.execute(query).all())


def _why_not(agent: Agent, counts: dict[int, int]) -> tuple[str, int | None] | None:
    """Why `agent` cannot take another ticket now, or None when they can."""
    if agent.is_away:
        return "away", None
    cap = agent.open_ticket_cap
    if cap is not None and counts.get(agent.id, 0) >= cap:
        return "cap", cap
    return None


def _lock(department: Department) -> None:
    """Hold the department's row until the transaction ends, with its pointer freshly read."""
    if db.session.get_bind().dialect.name == "sqlite":
        # A no-op write takes SQLite's write lock now: no other writer can commit a turn between
        # our read of the pointer and our write of it (a deferred transaction would only fail then).
        db.session.execute(
            update(Department)
            .where(Department.id == department.id)
            .values(last_assigned_agent_id=Department.last_assigned_agent_id)
            .execution_options(synchronize_session=False)
        )
    db.session.scalars(
        select(Department)
        .where(Department.id == department.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def choose(department: Department) -> Choice:
    """Pick the agent for the department's next ticket by its strategy. Call inside the write
    transaction that assigns: for round-robin it locks the department and moves its pointer."""
    if department.assignment_strategy == "manual":
        return Choice(None)
    _lock(department)
    members = [agent for agent in department.agents if agent.is_active]
    counts = _open_counts([agent.id for agent in members])
    if department.assignment_strategy == "round_robin":
        pointer = department.last_assigned_agent_id or 0
        # The members after the last one served, then from the top again.
        members = [a for a in members if a.id > pointer] + [a for a in members if a.id <= pointer]
    else:
        members.sort(key=lambda a: (counts.get(a.id, 0), a.last_assigned_at or datetime.min, a.id))
    skipped = []
    for agent in members:
        why = _why_not(agent, counts)
        if why is None:
            if department.assignment_strategy == "round_robin":
                department.last_assigned_agent_id = agent.id
            return Choice(agent, skipped)
        skipped.append((agent, *why))
    return Choice(None, skipped)


def assign_ticket(ticket: Ticket, assignee: Agent | None, *, actor: Agent | None) -> None:
    """Give the ticket to an agent by hand (or to nobody); the assignment rules then run."""
    if assignee is not None and not assignee.is_active:
        raise DomainError(gettext("%(name)s is deactivated.", name=assignee.display_name), field="assignee")
    if ticket.assignee is assignee:
        return
    old = ticket.assignee
    ticket.assignee = assignee
    if assignee is not None:
        assignee.last_assigned_at = utcnow()
    record_event(
        ticket,
        "assignment",
        {"from": old.id if old else None, "to": assignee.id if assignee else None},
        actor=actor,
    )
    db.session.flush()
    if assignee is not None:
        rules.fire("ticket.assigned", ticket, actor=actor)


def assign_automatically(ticket: Ticket) -> Agent | None:
    """Give an unassigned, open ticket to an agent of its department by the department's strategy,
    and write the choice and its reason to the history (also when nobody could take it)."""
    department = ticket.department
    if ticket.assignee is not None or ticket.status.category == Category.CLOSED:
        return None
    if department.assignment_strategy == "manual":
        return None
    choice = choose(department)
    data = {
        "by": department.assignment_strategy,
        "skipped": [[agent.id, why, cap] for agent, why, cap in choice.skipped],
    }
    if choice.agent is None:
        record_event(ticket, "auto_assignment_failed", {**data, "department": department.id}, actor=None)
        db.session.flush()
        return None
    ticket.assignee = choice.agent
    choice.agent.last_assigned_at = utcnow()
    record_event(ticket, "assignment", {"from": None, "to": choice.agent.id, **data}, actor=None)
    db.session.flush()
    rules.fire("ticket.assigned", ticket, actor=None)
    return choice.agent


# --- Settings (the admin area and the agent's own away switch) -----------------------------------


def set_away(agent: Agent, away: bool, *, actor: Agent) -> None:
    """An agent marks themselves away (or back); an admin may do it for them."""
    if not permissions.can_set_away(actor, agent):
        raise DomainError(gettext("Only admins can change another agent's availability."))
    if agent.is_away == away:
        return
    agent.is_away = away
    audit.record("agent.away" if away else "agent.back", agent, actor=actor)
    db.session.flush()


def parse_cap(text: str | None) -> int | None:
    """An admin's typed cap: blank for no cap, else a whole number from 1 to CAP_MAX."""
    text = (text or "").strip()
    if not text:
        return None
    if bounds.whole(text, high=CAP_MAX) is None:
        raise DomainError(
            gettext(
                "Enter a whole number of open tickets from 1 to %(max)d, or leave it empty for no cap.", max=CAP_MAX
            ),
            field="cap",
        )
    return int(text)


def update_agent(
    agent: Agent, *, away: bool, cap_text: str | None, departments: list[Department], actor: Agent
) -> None:
    """The admin's assignment settings for one agent: away, open-ticket cap and departments."""
    cap = parse_cap(cap_text)
    before = sorted(d.name for d in db.session.scalars(select(Department).where(Department.agents.contains(agent))))
    after = sorted(d.name for d in departments)
    found = audit.changes(cap=(agent.open_ticket_cap, cap), departments=(", ".join(before), ", ".join(after)))
    set_away(agent, away, actor=actor)
    if found:
        audit.record("agent.assignment_updated", agent, actor=actor, changes=found)
        agent.open_ticket_cap = cap
        for department in db.session.scalars(select(Department)):
            if department in departments and agent not in department.agents:
                department.agents.append(agent)
            elif department not in departments and agent in department.agents:
                department.agents.remove(agent)
    db.session.flush()


def update_department(department: Department, *, strategy: str, members: list[Agent], actor: Agent) -> None:
    """The admin's assignment settings for one department: its strategy and who works it."""
    if strategy not in STRATEGIES:
        raise DomainError(gettext("Choose how tickets are assigned."), field="strategy")
    names = sorted(a.display_name for a in members)
    found = audit.changes(
        strategy=(department.assignment_strategy, strategy),
        agents=(", ".join(sorted(a.display_name for a in department.agents)), ", ".join(names)),
    )
    if found:
        audit.record("department.assignment_updated", department, actor=actor, changes=found)
        department.assignment_strategy = strategy
        department.agents = sorted(members, key=lambda a: a.id)
        db.session.flush()


def departments_of(agent: Agent) -> list[Department]:
    return list(
        db.session.scalars(select(Department).where(Department.agents.contains(agent)).order_by(Department.name))
    )
