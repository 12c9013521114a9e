"""Where a received mail belongs, and who may post there: threading that is strict and forgiving.

A mail finds its ticket by the desk's Message-IDs (signed for its sender, or any stored one) in
its In-Reply-To/References (or, for a bounce, in the returned message), then by a `[#number]`
subject tag. Either way it is posted only when the sender is the ticket's customer, a member of
the customer's organization with sharing on, or a participant. An agent's address counts only
when the mail answers a message the desk sent *to that agent* about the ticket (an ID signed for
the agent, or one the outbox sent to them), and names a single sender: a customer who forges an
agent's From and quotes the desk's mail to themselves is held, never posted as the agent. Anyone
else's mail is held for an agent to decide.

The subject tag may also be written `#[1042]` or a bare `#1042`, and counts only for a sender who
may post on that ticket: anyone else's tag is read as no tag at all, so a number that does not
exist and one the sender may not post to are answered alike (nobody learns which numbers exist,
and "Invoice #12345" from a stranger opens a ticket of its own).
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from shared.access import permissions
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.core.markup import render_plain_text
from shared.mail import spam
from shared.mail import text as mail_text
from shared.mail.parse import ParsedMail
from shared.models import (
    Agent,
    Attachment,
    Customer,
    Department,
    Entry,
    EntryKind,
    InboundMessage,
    MailBounce,
    Ticket,
    Visibility,
)
from shared.models.attachments import ORIGINAL_MAIL_NAME
from shared.outgoing import message_ids, notifications
from shared.outgoing.desk_addresses import is_desk_address
from shared.people import accounts, customers
from shared.records.history import append, record_event
from shared.search import index
from shared.tickets import attachments, conversation, links, participants
from shared.tickets.attachments import Upload

ORIGINAL_NAME = ORIGINAL_MAIL_NAME
# Room left under the ticket verbs' body limit for the note that the text was cut.
_BODY_ROOM = conversation.BODY_MAX - 200


@dataclass(frozen=True)
class Match:
    ticket: Ticket | None = None
    # "signed" (the desk's ID signed for the sender), "out"/"in" (a stored ID sent or received), "subject".
    via: str = ""

    @property
    def by_message_id(self) -> bool:
        return self.via in ("signed", "out", "in")


@dataclass(frozen=True)
class LeftOut:
    """A mail's files the ticket does not take (they stay in the original), by clean name."""

    too_big: list[str]  # over the attachment limit (most never read: `mail.size`)
    too_many: list[str]  # past the number of files one message may add


def find_ticket(mail: ParsedMail) -> Match:
    """The ticket the mail answers: by Message-ID first (In-Reply-To, References newest first, the
    returned message of a bounce), then by a subject tag the sender may post under; a merged
    ticket's mail goes where it continues (along a chain of merges too), and who may post is
    checked there."""
    match = _find_by_message_id(mail)
    if match.ticket is not None:
        return Match(links.continuation(match.ticket), match.via)
    return _find_by_subject_tag(mail)


def _find_by_message_id(mail: ParsedMail) -> Match:
    ids = mail.thread_ids
    for message_id in ids:
        signed = message_ids.verify(message_id, mail.from_addr or "")
        ticket = db.session.get(Ticket, signed[0]) if signed else None
        if ticket is not None:
            return Match(ticket, "signed")
    stored = message_ids.find(ids)
    if stored is not None:
        return Match(stored.ticket, stored.direction)
    return Match()


def _find_by_subject_tag(mail: ParsedMail) -> Match:
    """The first ticket the subject names that the sender may post on (where it continues, if
    merged). A tag for a ticket they may not post on is no match, exactly like a tag for a number
    that does not exist: the same outcome, so the answer tells nobody which numbers exist."""
    for number in mail.ticket_numbers:
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        if ticket is None:
            continue
        match = Match(links.continuation(ticket), "subject")
        if poster_for(match, mail) is not None:
            return match
    return Match()


def poster_for(match: Match, mail: ParsedMail) -> Customer | Agent | None:
    """Who the mail may be posted as on the matched ticket, or None (hold it)."""
    if match.ticket is None or not mail.from_addr:
        return None
    customer = accounts.find_customer(mail.from_addr)
    if customer is not None and permissions.can_reply(customer, match.ticket):
        return customer
    agent = accounts.find_agent(mail.from_addr)
    if agent is not None and agent.is_active and answers_mail_to(agent, match.ticket, mail):
        return agent
    return None


def answers_mail_to(agent: Agent, ticket: Ticket, mail: ParsedMail) -> bool:
    """Whether the mail answers a message the desk sent to `agent` about `ticket` (or a ticket merged
    into it), and names no other sender: the only thing that lets mail speak for an agent."""
    if mail.sender_count != 1 or not passes_dmarc(mail):
        return False
    sent = message_ids.tickets_sent_to([*mail.in_reply_to, *mail.references], agent.email)
    return any(links.continuation(db.session.get(Ticket, ticket_id)) is ticket for ticket_id in sent)


def passes_dmarc(mail: ParsedMail) -> bool:
    """With MAIL_TRUSTED_AUTHSERV_ID set: whether the desk's own receiving server, in the topmost
    Authentication-Results header it wrote, says the mail passed DMARC. Unset: True (not checked)."""
    return not spam.trusted_authserv_id() or spam.dmarc_result(mail) == "pass"


def is_unverified_agent(mail: ParsedMail) -> bool:
    """Mail from an agent's address that could not show it is theirs (see `poster_for`)."""
    return bool(mail.from_addr) and accounts.find_agent(mail.from_addr) is not None


def department() -> Department:
    """Where new tickets from mail go: MAIL_DEPARTMENT by name, else the first active department."""
    name = current_app.config["MAIL_DEPARTMENT"]
    query = select(Department).where(Department.is_active.is_(True))
    found = db.session.scalar(query.where(Department.name == name)) if name else None
    found = found or db.session.scalars(query.order_by(Department.id)).first()
    if found is None:
        raise DomainError(gettext("There is no active department for new tickets."))
    return found


def open_from_mail(
    inbound: InboundMessage, mail: ParsedMail, *, by_agent: Agent | None = None, acknowledge: bool = True
) -> Ticket:
    """A new ticket from the mail's sender, who becomes a customer if new (without a password);
    the people it was CC'd to become participants. Automatic, forwarded, list and bulk mail is not
    acknowledged, nor any with `acknowledge=False` (the address had too many acknowledgements)."""
    customer = customers.find_or_add(mail.from_addr, name=mail.from_name, actor=by_agent)
    uploads, skipped = _uploads(mail)
    subject = mail.subject[: conversation.SUBJECT_MAX].strip() or gettext("(no subject)")
    ticket = conversation.open_ticket(
        actor=customer,
        customer=customer,
        subject=subject,
        body=_body(mail.text, uploads),
        department=department(),
        channel="email",
        uploads=uploads,
        plain_text=True,
        notify_customer=acknowledge and not mail.wants_no_acknowledgement,
    )
    first = ticket.entries[0]
    _finish(inbound, mail, first, skipped)
    return ticket


def post_from_mail(inbound: InboundMessage, mail: ParsedMail, ticket: Ticket, poster: Customer | Agent) -> Entry:
    """The mail's new words (quoted history and sign-off cut) as a public reply from `poster`,
    through the same verb as the portal and console, so the rules move the status."""
    uploads, skipped = _uploads(mail)
    entry = conversation.post_reply(
        ticket,
        actor=poster,
        body=_body(mail_text.reply_of(mail), uploads),
        uploads=uploads,
        channel="email",
        plain_text=True,
    )
    _finish(inbound, mail, entry, skipped)
    return entry


def hold(inbound: InboundMessage, mail: ParsedMail, ticket: Ticket, *, agent_address: bool = False) -> Entry:
    """Keep a stranger's mail off the ticket, with a note only agents see saying so. Mail that uses
    an agent's address without answering the desk's mail to that agent may be forged: it says so."""
    if agent_address:
        text = gettext(
            "Mail from the agent address %(sender)s matched this ticket but was not posted: it does not "
            "answer mail the desk sent to that agent, so anyone may have written it. The agent can "
            "answer in the console; split it into a new ticket in the inbound mail log if it needs work.",
            sender=mail.from_addr,
        )
        return _system_note(ticket, inbound, "mail_held_agent", text, mail_text.reply_of(mail))
    text = gettext(
        "Mail from %(sender)s matched this ticket but was not posted: they are not its customer or "
        "a participant. Accept it (they join the ticket) or split it into a new ticket in the inbound mail log.",
        sender=mail.from_addr,
    )
    return _system_note(ticket, inbound, "mail_held", text, mail_text.reply_of(mail))


def hold_spam(inbound: InboundMessage, mail: ParsedMail, ticket: Ticket, verdict: str) -> Entry:
    """Keep mail the receiving server marked as spam off the ticket it answers, with a note only
    agents see, who accept it (it is posted as the sender's) or split it off."""
    text = gettext(
        "Mail from %(sender)s matched this ticket but was not posted: the receiving mail server marked it as "
        "spam (%(verdict)s). If it is real, accept it (it is posted as theirs) or split it into a new ticket.",
        sender=_who(mail),
        verdict=verdict,
    )
    return _system_note(ticket, inbound, "mail_held_spam", text, mail_text.reply_of(mail))


def note_automatic(
    inbound: InboundMessage, mail: ParsedMail, ticket: Ticket, kind: str, *, bounce: MailBounce | None = None
) -> Entry:
    """A bounce or auto-reply to the desk's mail, as a note for agents: no status change, no reply."""
    if bounce is not None:
        text = gettext(
            "The desk's mail to %(address)s could not be delivered (%(status)s): no more mail goes to that "
            "address until an agent clears it on the customer's card.",
            address=bounce.address,
            status=bounce.status,
        )
    elif kind == "bounce":
        text = gettext("The desk's mail could not be delivered (a bounce from %(sender)s).", sender=_who(mail))
    else:
        text = gettext("An automatic reply from %(sender)s.", sender=_who(mail))
    return _system_note(ticket, inbound, f"mail_{kind}", text, mail.text)


def record_split(held_on: Ticket, new: Ticket, *, actor: Agent) -> None:
    """Say on the ticket a held mail matched where it went instead."""
    record_event(held_on, "mail_split", {"ticket": new.number}, actor=actor)


def record_unacknowledged(ticket: Ticket, address: str, limit: str) -> None:
    """Say on a ticket from mail that its sender was not told of it (the acknowledgement limit)."""
    record_event(ticket, "mail_not_acknowledged", {"address": address, "limit": limit}, actor=None)


def _finish(inbound: InboundMessage, mail: ParsedMail, entry: Entry, skipped: LeftOut) -> None:
    """After posting: the original downloadable, the Message-ID stored for threading, the CC'd
    people on the ticket, and about files left out, a word for agents and a notice to the sender
    (never to automatic or list mail: no mail loops)."""
    _attach_original(entry, inbound)
    if mail.message_id:
        message_ids.remember(mail.message_id, entry.ticket, entry, "in")
    _add_copied(entry.ticket, mail)
    if skipped.too_big or skipped.too_many:
        record_event(entry.ticket, "mail_files_skipped", {"files": skipped.too_big + skipped.too_many}, actor=None)
        if not mail.wants_no_acknowledgement and entry.author is not None:
            notifications.mail_files_refused(entry, entry.author, too_big=skipped.too_big, too_many=skipped.too_many)


# At most this many of a capped mail's left-out addresses are named in the history.
_LEFT_OUT_NAMED = 50


def _add_copied(ticket: Ticket, mail: ParsedMail) -> None:
    """Everyone the mail went to besides the desk and its agents joins the ticket: reply-all works.
    One mail adds at most MAIL_MAX_NEW_PARTICIPANTS people (a mail to dozens of addresses would make
    as many customers); the history tells agents who was left out."""
    room = int(current_app.config["MAIL_MAX_NEW_PARTICIPANTS"])
    left_out: list[str] = []
    added: list[str] = []
    for address in [*mail.to, *mail.cc]:
        if address == mail.from_addr or is_desk_address(address):
            continue
        if accounts.find_agent(address) is not None or _is_on(ticket, address):
            continue
        if room <= 0:
            left_out.append(address)
            continue
        try:
            added.append(participants.put_on(ticket, address, actor=None).email)
        except DomainError:  # a deactivated customer, or an address the desk cannot mail
            continue
        room -= 1
    if added:  # agents see who the desk's replies now reach
        record_event(ticket, "participants_added", {"addresses": added, "via": "mail"}, actor=None)
    if left_out:
        limit = int(current_app.config["MAIL_MAX_NEW_PARTICIPANTS"])
        data = {"addresses": left_out[:_LEFT_OUT_NAMED], "count": len(left_out), "limit": limit}
        record_event(ticket, "mail_participants_capped", data, actor=None)


def _is_on(ticket: Ticket, address: str) -> bool:
    """Whether the customer with this address is already the ticket's customer or a participant, or
    was one until an agent removed them (a CC does not bring them back)."""
    customer = accounts.find_customer(address)
    if customer is None:
        return False
    return customer.id == ticket.customer_id or participants.row_of(ticket, customer) is not None


def _system_note(ticket: Ticket, inbound: InboundMessage, event: str, text: str, quoted: str) -> Entry:
    body = f"{text}\n\n{quoted.strip()}" if quoted.strip() else text
    body = body[:_BODY_ROOM]
    entry = append(
        ticket,
        actor=None,
        kind=EntryKind.MESSAGE,
        visibility=Visibility.INTERNAL,
        body=body,
        body_html=render_plain_text(body),
        event_name=event,
        data={"inbound": inbound.id},
        channel="email",
    )
    _attach_original(entry, inbound)
    db.session.flush()
    index.add_message(entry)
    return entry


def _attach_original(entry: Entry, inbound: InboundMessage) -> None:
    """The message as received, downloadable from the entry (its bytes are already stored)."""
    db.session.add(
        Attachment(
            entry=entry,
            filename=ORIGINAL_NAME,
            content_type="application/octet-stream",  # what sniffing says of any mail; never shown inline
            size=inbound.size,
            sha256=inbound.sha256,
        )
    )


def _uploads(mail: ParsedMail) -> tuple[list[Upload], LeftOut]:
    """The mail's files as uploads, within the attachment limits, and those left out."""
    limit = attachments.limit_bytes()
    room = int(current_app.config["MAX_ATTACHMENTS_PER_MESSAGE"])
    kept: list[Upload] = []
    left = LeftOut([attachments.clean_filename(name) for name, _size in mail.refused], [])
    for item in mail.all_files:
        if len(item.data) > limit:
            left.too_big.append(attachments.clean_filename(item.filename))
        elif len(kept) >= room:
            left.too_many.append(attachments.clean_filename(item.filename))
        else:
            kept.append(Upload(filename=item.filename, data=item.data))
    return kept, left


def _body(text: str, uploads: list[Upload]) -> str:
    text = (text or "").strip()
    if len(text) > _BODY_ROOM:
        text = text[:_BODY_ROOM].rstrip() + "\n\n" + gettext("[…] The full message is attached as original.eml.")
    if not text and not uploads:
        text = gettext("(The message had no text.)")
    return text


def _who(mail: ParsedMail) -> str:
    return mail.from_addr or gettext("an unknown sender")
