"""Demo data for `flask --app wsgi demo seed`: two months in the life of a small business's desk.

Every ticket is made by the same verbs the portal, console and mail intake call, under a frozen
clock, so the rules, history, "last updated by" and outbox look exactly as after real use. Each
ticket's story is planned first, then all stories are played back in time order, so ticket numbers
rise with their creation time. A fixed seed gives the same data every run.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from shared.core.clock import frozen_at, utcnow
from shared.core.extensions import db
from shared.demo import company, story
from shared.models import Agent, Category, Customer, Department, OutboxMessage, Product, Status, Ticket
from shared.people import accounts
from shared.tickets import canned, links

DEMO_PASSWORD = "deskbell-demo"
SEED = 1042
# How the tickets end up, as weights; every status gets at least one ticket.
FINALS = {"closed": 38, "waiting": 14, "assigned": 16, "new": 12, "feature_filed": 10, "bug_filed": 10}


def admin_email() -> str:
    return f"{company.AGENTS[0][0]}@{company.DOMAIN}"


def already_seeded() -> bool:
    """True when the demo agents exist, so `make run` twice keeps the data people worked on."""
    return accounts.find_agent(admin_email()) is not None


def login_lines() -> list[str]:
    """The addresses and demo logins, printed after seeding so people can start clicking."""
    base = current_app.config["BASE_URL"].rstrip("/")
    agent = f"{company.AGENTS[1][0]}@{company.DOMAIN}"
    customer = company.ORGANIZATIONS[0][2][0][1]
    return [
        f"Agent console: {base}/console/login",
        f"  admin    {admin_email()} / {DEMO_PASSWORD}",
        f"  agent    {agent} / {DEMO_PASSWORD}",
        f"Customer portal: {base}/portal/login",
        f"  customer {customer} / {DEMO_PASSWORD}",
    ]


def seed(count: int = 200, progress: Callable[[int], object] = lambda n: None, *, rng_seed: int = SEED) -> None:
    """Create the demo accounts, catalog and `count` tickets; flushes, the caller commits."""
    rng = random.Random(rng_seed)
    now = utcnow().replace(microsecond=0)
    first_outbox = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    cast = _cast(rng, now - story.WINDOW - timedelta(days=30))
    finals = list(FINALS)[:count] + rng.choices(list(FINALS), list(FINALS.values()), k=max(0, count - 6))
    rng.shuffle(finals)
    stories = [story.Story(rng, cast, final, now) for final in finals]
    stories.sort(key=lambda s: s.start)
    for planned in stories:
        planned.play()
        progress(1)
    _link_some(cast.agents[0])
    # The acknowledgements and auto-close mails belong to the past: mark them sent, or the worker
    # would mail hundreds of made-up addresses on its first run.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id > first_outbox, OutboxMessage.state == "pending")
        .values(state="sent", sent_at=OutboxMessage.created_at)
    )
    db.session.flush()


def _link_some(agent: Agent) -> None:
    """A little of every link: per product, the open bug reports become incidents of the first
    one (a problem), and two other open tickets are related; each when the later one last moved."""
    query = (
        select(Ticket)
        .join(Ticket.status)
        .where(Status.category != Category.CLOSED, Ticket.product_id.is_not(None))
        .order_by(Ticket.number)
    )
    by_product: dict[int, list[Ticket]] = {}
    for ticket in db.session.scalars(query):
        by_product.setdefault(ticket.product_id, []).append(ticket)
    for group in by_product.values():
        bugs = [t for t in group if t.status.key == "bug_filed"][:3]
        others = [t for t in group if t.status.key != "bug_filed"][:2]
        for incident in bugs[1:]:
            with frozen_at(max(bugs[0].updated_at, incident.updated_at)):
                links.link_incident(bugs[0], incident, actor=agent)
        if len(others) == 2:
            with frozen_at(max(t.updated_at for t in others)):
                links.link_related(*others, actor=agent)


def _cast(rng: random.Random, since: datetime) -> story.Cast:
    """Agents, customers, departments and products, created a month before the first ticket."""
    with frozen_at(since):
        departments = {name: _catalog_row(Department, name) for name in company.DEPARTMENTS}
        products = {name: _catalog_row(Product, name, department=departments[dept]) for name, dept in company.PRODUCTS}
        agents, specialists = [], {name: [] for name in company.DEPARTMENTS}
        for local, name, is_admin, dept in company.AGENTS:
            password = None if agents else DEMO_PASSWORD
            agent = accounts.create_agent(f"{local}@{company.DOMAIN}", name=name, is_admin=is_admin, password=password)
            agents.append(agent)
            specialists[dept].append(agent)
        for name, department in departments.items():  # who works which department (assignment stays manual)
            department.agents = list(specialists[name])
        for title, body in company.CANNED:  # kept by the admin, shared with everyone
            canned.create_canned(title, body, shared=True, actor=agents[0])
        # One argon2 hash (~0.1 s each) serves every demo account: they share the demo password.
        demo_hash = agents[0].password_hash
        for agent in agents:
            agent.password_hash = demo_hash
        customers = []
        for org, sharing, members in company.ORGANIZATIONS:
            customers += [_customer(name, email, has_password, demo_hash, org) for name, email, has_password in members]
            customers[-1].organization.sharing = sharing
        customers += [_customer(name, email, has_pw, demo_hash, None) for name, email, has_pw in company.INDIVIDUALS]
        db.session.flush()
    # A few regulars write often, most customers now and then.
    weights = [1 / (i + 1) ** 0.6 for i in range(len(customers))]
    rng.shuffle(weights)
    statuses = {s.key: s for s in db.session.scalars(select(Status))}
    return story.Cast(agents, specialists, customers, weights, departments, products, statuses)


def _customer(name: str, email: str, has_password: bool, demo_hash: str, org: str | None) -> Customer:
    """Customers who only ever wrote by email have no password, as after real mail intake."""
    customer = accounts.create_customer(email, name=name, organization=org)
    customer.password_hash = demo_hash if has_password else None
    return customer


def _catalog_row(model: type[Department] | type[Product], name: str, **fields: object) -> Department | Product:
    """The department or product by that name; made when missing, kept when an admin already has it."""
    found = db.session.scalar(select(model).where(model.name == name))
    if found is None:
        found = model(name=name, **fields)
        db.session.add(found)
    return found
