"""The desk's team: inviting agents, the admin flag, deactivating and reactivating. Each change is audited.

A deactivated agent cannot log in, disappears from the assignee choices and gives back their
open tickets; their name stays on everything they did.
"""

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select

from shared.access import sessions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Agent, Category, ResetToken, Status, Ticket
from shared.people import accounts
from shared.records import audit
from shared.tickets import assignment


def team() -> list[Agent]:
    """Everyone, the active first, by name."""
    return list(db.session.scalars(select(Agent).order_by(Agent.is_active.desc(), func.lower(Agent.name), Agent.id)))


def open_ticket_counts() -> dict[int, int]:
    """Open tickets assigned to each agent, by agent id."""
    query = (
        select(Ticket.assignee_id, func.count())
        .join(Ticket.status)
        .where(Ticket.assignee_id.is_not(None), Status.category != Category.CLOSED)
        .group_by(Ticket.assignee_id)
    )
    return dict(db.session.execute(query).all())


def invitations_sent() -> dict[int, datetime]:
    """When each agent was last sent a link to set their password, by agent id."""
    query = (
        select(ResetToken.agent_id, func.max(ResetToken.created_at))
        .where(ResetToken.agent_id.is_not(None))
        .group_by(ResetToken.agent_id)
    )
    return dict(db.session.execute(query).all())


def invite_agent(
    email: str, *, name: str, is_admin: bool, actor: Agent | None, set_url_for: Callable[[str], str]
) -> Agent:
    """A new agent without a password, mailed a link to choose one."""
    if not (name or "").strip():
        raise DomainError(gettext("Enter the agent's name."), field="name")
    agent = accounts.create_agent(email, name=name, is_admin=is_admin)
    accounts.send_invitation(agent, set_url_for=set_url_for, inviter=actor)
    audit.record("agent.invited_admin" if is_admin else "agent.invited", agent, actor=actor)
    db.session.flush()
    return agent


def resend_invitation(agent: Agent, *, actor: Agent | None, set_url_for: Callable[[str], str]) -> None:
    accounts.send_invitation(agent, set_url_for=set_url_for, inviter=actor)
    audit.record("agent.invitation_resent", agent, actor=actor)
    db.session.flush()


def _is_self(agent: Agent, actor: Agent | None) -> bool:
    return actor is not None and actor.id == agent.id


def _keep_an_admin(agent: Agent) -> None:
    """Refuse to take away the last active admin, or nobody could manage the desk any more."""
    if not (agent.is_admin and agent.is_active):
        return
    # Locking the admins' rows (PostgreSQL) makes two admins demoting each other wait their turn.
    others = db.session.scalars(
        select(Agent.id)
        .where(Agent.is_admin.is_(True), Agent.is_active.is_(True), Agent.id != agent.id)
        .with_for_update()
    ).all()
    if not others:
        raise DomainError(
            gettext("%(name)s is the last active admin. Make another agent an admin first.", name=agent.display_name)
        )


def deactivate_agent(agent: Agent, *, actor: Agent | None) -> int:
    """Lock the agent out and unassign their open tickets (each with its history event); how many."""
    if _is_self(agent, actor):
        raise DomainError(gettext("You cannot deactivate yourself. Ask another admin."))
    if not agent.is_active:
        return 0
    _keep_an_admin(agent)
    agent.is_active = False
    sessions.end_all(agent)  # out at once, not at their next login
    assigned = db.session.scalars(
        select(Ticket)
        .join(Ticket.status)
        .where(Ticket.assignee_id == agent.id, Status.category != Category.CLOSED)
        .order_by(Ticket.id)
    ).all()
    for ticket in assigned:
        assignment.assign_ticket(ticket, None, actor=actor)
    audit.record("agent.deactivated", agent, actor=actor, unassigned=len(assigned))
    db.session.flush()
    return len(assigned)


def reactivate_agent(agent: Agent, *, actor: Agent | None) -> None:
    if agent.is_active:
        return
    agent.is_active = True
    audit.record("agent.reactivated", agent, actor=actor)
    db.session.flush()


def set_admin(agent: Agent, is_admin: bool, *, actor: Agent | None) -> None:
    """Give or take the admin flag; nobody takes their own, and the desk keeps an active admin."""
    if agent.is_admin == is_admin:
        return
    if not is_admin:
        if _is_self(agent, actor):
            raise DomainError(gettext("You cannot remove your own admin rights. Ask another admin."))
        _keep_an_admin(agent)
    agent.is_admin = is_admin
    audit.record("agent.admin_granted" if is_admin else "agent.admin_revoked", agent, actor=actor)
    db.session.flush()
