"""The registry of pages: every page of the desk a person can open, who opens it, and how its address
is built from the seeded desk; and every GET endpoint that is no page, with the reason.

tests/test_page_registry.py fails when a GET route is in neither list, so a page that a later change
adds joins the accessibility and reflow sweeps (tests/browser/test_accessibility.py and
tests/browser/test_reflow.py) by itself, once it has its entry here.
"""

from dataclasses import asdict, dataclass

# Who opens a page: a visitor who is not logged in, a customer on their own, a customer whose
# organization shares its tickets, an agent, and an admin.
ROLES = ("anonymous", "customer", "member", "agent", "admin")


@dataclass(frozen=True)
class Desk:
    """What page addresses name, picked from (or added to) the seeded desk by tests/browser/sweep.py."""

    customer_ticket: int  # the customer's own ticket
    member_ticket: int  # a colleague's ticket, which the member sees through the organization
    open_ticket: int  # an agent's ticket with a long history: notes, files, links
    closed_ticket: int  # closed and rated
    view_query: str  # a saved view of the agent's: the queue list's query string
    canned_id: int  # a canned reply of the agent's own
    agent_id: int
    customer_id: int
    organization_id: int
    department_id: int
    product_id: int
    calendar_id: int
    inbound_id: int
    outbox_id: int
    caught_name: str  # a file of the demo's mail catcher
    customer_reset_token: str
    agent_reset_token: str
    signup_token: str


@dataclass(frozen=True)
class Page:
    """One page as one role sees it. `name` is what `-k` picks in the sweeps."""

    name: str
    endpoint: str
    role: str
    address: str  # a path, with {fields} of Desk

    def __post_init__(self) -> None:
        assert self.role in ROLES, self.role

    def url(self, desk: Desk) -> str:
        return self.address.format(**asdict(desk))


PAGES: tuple[Page, ...] = (
    # Before logging in.
    Page("portal-login", "portal.login", "anonymous", "/portal/login"),
    Page("portal-signup", "portal.signup", "anonymous", "/portal/signup"),
    Page("portal-signup-confirm", "portal.signup_confirm", "anonymous", "/portal/signup/confirm/{signup_token}"),
    Page("portal-reset", "portal.reset_request", "anonymous", "/portal/reset"),
    Page("portal-reset-confirm", "portal.reset_confirm", "anonymous", "/portal/reset/{customer_reset_token}"),
    Page("console-login", "console.login", "anonymous", "/console/login"),
    Page("console-reset", "console.reset_request", "anonymous", "/console/reset"),
    Page("console-reset-confirm", "console.reset_confirm", "anonymous", "/console/reset/{agent_reset_token}"),
    # The portal.
    Page("portal-tickets", "portal.tickets_list", "customer", "/portal/tickets"),
    Page("portal-ticket", "portal.ticket_show", "customer", "/portal/tickets/{customer_ticket}"),
    Page("portal-ticket-new", "portal.ticket_new", "customer", "/portal/tickets/new"),
    Page("portal-profile", "portal.profile", "customer", "/portal/profile"),
    Page("portal-organization-tickets", "portal.tickets_list", "member", "/portal/tickets?view=organization"),
    Page("portal-colleague-ticket", "portal.ticket_show", "member", "/portal/tickets/{member_ticket}"),
    # The console.
    Page("console-queue", "console.home", "agent", "/console/"),
    Page("console-saved-view", "console.home", "agent", "/console/?{view_query}"),
    Page("console-ticket", "console.ticket_show", "agent", "/console/tickets/{open_ticket}"),
    Page("console-closed-ticket", "console.ticket_show", "agent", "/console/tickets/{closed_ticket}"),
    Page("console-ticket-new", "console.new_ticket", "agent", "/console/tickets/new"),
    Page("console-search", "console.search_page", "agent", "/console/search?q=invoice"),
    Page("console-canned", "console.canned_list", "agent", "/console/canned"),
    Page("console-canned-edit", "console.canned_edit", "agent", "/console/canned/{canned_id}"),
    Page("console-canned-pick", "console.canned_search", "agent", "/console/tickets/{open_ticket}/canned?q=a"),
    Page("console-profile", "console.profile", "agent", "/console/profile"),
    Page("console-time", "console.time_report", "agent", "/console/time"),
    # The console's admin area.
    Page("admin-agents", "console.admin.agents_list", "admin", "/console/admin/agents"),
    Page("admin-assignment", "console.admin.agent_assignment", "admin", "/console/admin/agents/{agent_id}/assignment"),
    Page("admin-customers", "console.admin.customers_list", "admin", "/console/admin/customers"),
    Page("admin-customer", "console.admin.customer_edit", "admin", "/console/admin/customers/{customer_id}"),
    Page("admin-customer-new", "console.admin.customer_new", "admin", "/console/admin/customers/new"),
    Page("admin-organizations", "console.admin.organizations_list", "admin", "/console/admin/organizations"),
    Page(
        "admin-organization",
        "console.admin.organization_show",
        "admin",
        "/console/admin/organizations/{organization_id}",
    ),
    Page("admin-departments", "console.admin.departments_list", "admin", "/console/admin/departments"),
    Page("admin-department", "console.admin.department_edit", "admin", "/console/admin/departments/{department_id}"),
    Page("admin-products", "console.admin.products_list", "admin", "/console/admin/products"),
    Page("admin-product", "console.admin.product_edit", "admin", "/console/admin/products/{product_id}"),
    Page("admin-sla", "console.admin.sla_settings", "admin", "/console/admin/sla"),
    Page("admin-calendar", "console.admin.calendar_edit", "admin", "/console/admin/calendars/{calendar_id}"),
    Page("admin-activity", "console.admin.activity_list", "admin", "/console/admin/activity"),
    Page("admin-inbound", "console.admin.inbound_list", "admin", "/console/admin/mail/inbound"),
    Page("admin-inbound-message", "console.admin.inbound_show", "admin", "/console/admin/mail/inbound/{inbound_id}"),
    Page("admin-outbox", "console.admin.outbox_list", "admin", "/console/admin/mail/outbox"),
    Page("admin-outbox-message", "console.admin.outbox_show", "admin", "/console/admin/mail/outbox/{outbox_id}"),
    Page("admin-caught", "console.admin.caught_list", "admin", "/console/admin/mail/caught"),
    Page("admin-caught-message", "console.admin.caught_show", "admin", "/console/admin/mail/caught/{caught_name}"),
)

# GET endpoints that are not pages a person reads, each with the reason.
NOT_PAGES: dict[str, str] = {
    "index": "redirects to the portal's ticket list",
    "favicon": "an image file",
    "healthz": "a plain-text health check for monitors",
    "static": "the app's CSS, JavaScript and images",
    "portal.home": "redirects to the customer's ticket list",
    "portal.attachment_download": "an attached file, sent as a download (or inline to the browser's own viewer)",
    "console.tickets_list": "redirects to the queue list (console.home)",
    "console.queue_counts": "the sidebar's htmx refresh; a plain GET redirects to the queue list",
    "console.attachment_download": "an attached file, sent as a download (or inline to the browser's own viewer)",
    "console.time_report_csv": "the time report as a CSV file",
    "console.admin.home": "redirects to the agents list",
    "console.admin.inbound_download": "the original message as an .eml file to save",
}


def pages_for(role: str) -> list[Page]:
    return [page for page in PAGES if page.role == role]
