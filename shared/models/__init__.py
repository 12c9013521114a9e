"""The models, one module per concept, re-exported here."""

from shared.models.accounts import Agent, Customer, Organization
from shared.models.attachments import Attachment
from shared.models.audit import AuditEvent
from shared.models.base import utcnow
from shared.models.bounces import MailBounce
from shared.models.canned import CannedReply
from shared.models.catalog import STRATEGIES, Department, Product, department_agents
from shared.models.entries import Entry, EntryKind, Visibility
from shared.models.inbound import InboundMessage, InboundState, TicketParticipant
from shared.models.links import TicketLink
from shared.models.mail import MailMessageId
from shared.models.outbox import OutboxMessage
from shared.models.presence import TicketPresence
from shared.models.queue_counters import QueueCounter
from shared.models.rate_limits import RateLimitCount
from shared.models.ratings import SCORES, Rating
from shared.models.reads import TicketRead
from shared.models.rules import Rule
from shared.models.sessions import LoginSession
from shared.models.sla import UNITS, BusinessCalendar, Holiday, SlaTarget
from shared.models.statuses import Category, Status
from shared.models.tickets import CHANNELS, PRIORITIES, TYPES, ActorKind, Counter, Ticket
from shared.models.time_spent import MAX_MINUTES, TimeSpent
from shared.models.tokens import ResetToken, SignupRequest
from shared.models.views import SavedView

__all__ = [
    "CHANNELS",
    "MAX_MINUTES",
    "PRIORITIES",
    "SCORES",
    "STRATEGIES",
    "TYPES",
    "UNITS",
    "ActorKind",
    "Agent",
    "Attachment",
    "AuditEvent",
    "BusinessCalendar",
    "CannedReply",
    "Category",
    "Counter",
    "Customer",
    "Department",
    "Entry",
    "EntryKind",
    "Holiday",
    "InboundMessage",
    "InboundState",
    "LoginSession",
    "MailBounce",
    "MailMessageId",
    "Organization",
    "OutboxMessage",
    "Product",
    "QueueCounter",
    "RateLimitCount",
    "Rating",
    "ResetToken",
    "Rule",
    "SavedView",
    "SignupRequest",
    "SlaTarget",
    "Status",
    "Ticket",
    "TicketLink",
    "TicketParticipant",
    "TicketPresence",
    "TicketRead",
    "TimeSpent",
    "Visibility",
    "department_agents",
    "utcnow",
]
