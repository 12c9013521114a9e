"""Who may see and do what. Lists and detail pages ask the same predicates, so they never disagree."""

from sqlalchemy import Select, false, or_, select

from shared.access import parties
from shared.core.extensions import db
from shared.models import Agent, Attachment, CannedReply, Customer, Entry, SavedView, Ticket, TicketParticipant
from shared.records import history


def customer_ticket_filter(customer: Customer):
    """The SQL condition for the tickets a customer may see: their own, or their shared organization's."""
    organization = customer.organization
    if organization is not None and organization.sharing:
        members = select(Customer.id).where(Customer.organization_id == organization.id)
        return or_(Ticket.customer_id == customer.id, Ticket.customer_id.in_(members))
    return Ticket.customer_id == customer.id


def sees_every_ticket(account: Customer | Agent | None) -> bool:
    """Active agents see the whole desk, so desk-wide counts (shared/queues/counters.py) are theirs."""
    return isinstance(account, Agent) and account.is_active


def visible_tickets(account: Customer | Agent | None) -> Select[tuple[Ticket]]:
    """A query of the tickets `account` may see; nothing for anyone else."""
    query = select(Ticket)
    if sees_every_ticket(account):
        return query
    if isinstance(account, Customer) and account.is_active:
        return query.where(customer_ticket_filter(account))
    return query.where(false())


def can_view_ticket(account: Customer | Agent | None, ticket: Ticket) -> bool:
    if isinstance(account, Agent):
        return account.is_active
    if isinstance(account, Customer) and account.is_active and ticket.customer is not None:
        if ticket.customer_id == account.id:
            return True
        org = account.organization
        return org is not None and org.sharing and ticket.customer.organization_id == org.id
    return False


def is_participant(customer: Customer, ticket: Ticket) -> bool:
    """CC'd on the ticket's mail (or let in by an agent), besides its customer."""
    query = select(TicketParticipant.id).where(
        TicketParticipant.ticket_id == ticket.id,
        TicketParticipant.customer_id == customer.id,
        TicketParticipant.removed_at.is_(None),  # an agent took them off
    )
    return ticket.id is not None and db.session.scalar(query) is not None


def can_reply(account: Customer | Agent | None, ticket: Ticket) -> bool:
    """Whoever may see the ticket; and by mail, a participant (who does not see it in the portal),
    unless they came to it across a merge between customers (shared/access/parties.py): what they send
    would land where they cannot read it, so it is held for an agent instead."""
    if can_view_ticket(account, ticket):
        return True
    if not (isinstance(account, Customer) and account.is_active and is_participant(account, ticket)):
        return False
    return account.id not in parties.strangers(ticket)


def can_rate(account: Customer | Agent | None, ticket: Ticket) -> bool:
    """Only the customer who asked: a colleague who sees the ticket through a shared organization
    does not speak for them."""
    return (
        isinstance(account, Customer)
        and account.is_active
        and ticket.customer_id is not None
        and ticket.customer_id == account.id
    )


def can_update_ticket(account: Customer | Agent | None, ticket: Ticket) -> bool:
    """Assignee, status and priority are the desk's to change, on any ticket an agent may see."""
    return isinstance(account, Agent) and can_view_ticket(account, ticket)


def can_change_status(account: Customer | Agent | None) -> bool:
    """Only agents move a ticket to a status of their choosing (a customer's reply moves it through
    the rules). Whether the agent is active and works the ticket is asked where they reach it."""
    return isinstance(account, Agent)


def can_open_ticket_for(account: Customer | Agent | None, customer: Customer | None) -> bool:
    """A customer opens tickets for themselves only; an agent, and mail (which has no account), for
    anyone. (A follow-up the rules open for a closed ticket's customer does not ask.)"""
    return not isinstance(account, Customer) or customer is account


def can_add_internal_note(account: Customer | Agent | None, ticket: Ticket) -> bool:
    """Internal notes are the desk's own talk: any agent who may see the ticket, never a customer."""
    return isinstance(account, Agent) and can_view_ticket(account, ticket)


def can_link_tickets(account: Customer | Agent | None, ticket: Ticket, other: Ticket) -> bool:
    """Links and merges are the desk's bookkeeping: an agent who may work both tickets."""
    return can_update_ticket(account, ticket) and can_update_ticket(account, other)


def can_decide_held_mail(account: Customer | Agent | None, ticket: Ticket | None) -> bool:
    """Mail held on a ticket (its sender is not on it): any agent working the ticket lets it in or
    splits it off, not only admins; so do they mail that was ignored or quarantined (on no ticket,
    `ticket` None) into a ticket of its own."""
    return sees_every_ticket(account) if ticket is None else can_update_ticket(account, ticket)


def can_manage_participants(account: Customer | Agent | None, ticket: Ticket) -> bool:
    """Who is in the conversation (and so gets the desk's public replies) is the desk's call: any
    agent working the ticket adds or removes a participant; customers only CC people on their mail."""
    return can_update_ticket(account, ticket)


def can_bring_back_participant(account: Customer | Agent | None) -> bool:
    """Someone an agent took off a ticket comes back only by an agent's hand, never by a mail's CC."""
    return isinstance(account, Agent)


def can_log_time(account: Customer | Agent | None, ticket: Ticket) -> bool:
    """Time is the desk's own bookkeeping: any agent working the ticket logs it, customers never."""
    return can_update_ticket(account, ticket)


def can_view_time_report(account: Customer | Agent | None) -> bool:
    """The totals show colleagues' work; every active agent may read them, no one else."""
    return isinstance(account, Agent) and account.is_active


def can_search_tickets(account: Customer | Agent | None) -> bool:
    """The search index holds internal notes: it is for active agents only, never for customers."""
    return isinstance(account, Agent) and account.is_active


def can_file_for_others(account: Customer | Agent | None) -> bool:
    """Opening a ticket for a customer (a call, a visit) or an internal task is the desk's work."""
    return isinstance(account, Agent) and account.is_active


def can_view_entry(account: Customer | Agent | None, entry: Entry) -> bool:
    """Internal notes and events are for agents only, and so is what another customer's people wrote
    on the ticket across a merge between customers (shared/access/parties.py)."""
    if not can_view_ticket(account, entry.ticket):
        return False
    if isinstance(account, Agent):
        return True
    return entry.is_public and not _from_strangers([entry], entry.ticket)


def can_view_attachment(account: Customer | Agent | None, attachment: Attachment) -> bool:
    """An entry's files go with the entry, except an agent's emailed original, which only agents see."""
    if attachment.is_agents_original_mail and not isinstance(account, Agent):
        return False
    return can_view_entry(account, attachment.entry)


def attachments_for(account: Customer | Agent | None, entry: Entry) -> list[Attachment]:
    """The files of an entry `account` may see (or be mailed): all of them for an agent; a customer
    (and anyone unknown) never gets an agent's emailed original."""
    if isinstance(account, Agent):
        return list(entry.attachments)
    return [a for a in entry.attachments if not a.is_agents_original_mail]


def can_clear_bounce(account: Customer | Agent | None) -> bool:
    """Saying a bounced address works again (mail to it resumes) is any agent's call."""
    return isinstance(account, Agent) and account.is_active


def can_administer(account: Customer | Agent | None) -> bool:
    return isinstance(account, Agent) and account.is_active and account.is_admin


def can_set_away(account: Customer | Agent | None, agent: Agent) -> bool:
    """Agents mark themselves away; admins may do it for anyone."""
    return isinstance(account, Agent) and account.is_active and (account.id == agent.id or account.is_admin)


def can_use_canned(account: Customer | Agent | None, reply: CannedReply) -> bool:
    """An agent's own canned replies and the shared ones; nobody sees a colleague's personal ones."""
    if not (isinstance(account, Agent) and account.is_active):
        return False
    return reply.owner_id is None or reply.owner_id == account.id


def can_use_saved_view(account: Customer | Agent | None, view: SavedView) -> bool:
    """Saved views are personal: a colleague's is not found."""
    return isinstance(account, Agent) and account.is_active and view.agent_id == account.id


def can_edit_canned(account: Customer | Agent | None, reply: CannedReply) -> bool:
    """A personal reply is its owner's to change; the shared ones are the admins'."""
    if reply.owner_id is None:
        return can_administer(account)
    return can_use_canned(account, reply)


def find_ticket(account: Customer | Agent | None, number: int) -> Ticket | None:
    """The ticket with that number if `account` may see it, else None (the view answers 404)."""
    return db.session.scalar(visible_tickets(account).where(Ticket.number == number))


def find_attachment(account: Customer | Agent | None, number: int, attachment_id: int) -> Attachment | None:
    ticket = find_ticket(account, number)
    attachment = db.session.get(Attachment, attachment_id) if ticket is not None else None
    if attachment is None or attachment.entry.ticket_id != ticket.id:
        return None
    return attachment if can_view_attachment(account, attachment) else None


def public_entries(ticket: Ticket) -> list[Entry]:
    """What a customer may see of the history, its authors and files loaded for all entries at once:
    the public entries, less what came across a merge between customers."""
    shown = [entry for entry in history.entries(ticket) if entry.is_public]
    hidden = _from_strangers(shown, ticket)
    return [entry for entry in shown if entry.customer_id not in hidden] if hidden else shown


def names_last_writer(ticket: Ticket) -> bool:
    """Whether the portal's ticket card may name the customer who wrote last: not when their words
    came across a merge between customers (asked only for someone other than the ticket's customer)."""
    writer = ticket.last_public_customer_id
    return writer in (None, ticket.customer_id) or writer not in parties.strangers(ticket)


def _from_strangers(entries: list[Entry], ticket: Ticket) -> set[int]:
    """The authors of `entries` whose words reached `ticket` across a merge between customers. The
    ticket's own customer never is one, so a history only they wrote in costs no query."""
    others = {entry.customer_id for entry in entries if entry.customer_id not in (None, ticket.customer_id)}
    return others & parties.strangers(ticket) if others else set()
