"""A fresh, realistic desk of any size for the benchmarks: `python bench/seed.py --tickets 100000 DB`.

Rows are generated in Python and written with SQLAlchemy Core in large batches, bypassing the ORM
verbs (which would take hours at a million tickets), but they hold what the verbs would have
written: the history in order, "last updated by" and its preview, the SLA due times of open
tickets, attachment metadata (no files) and each ticket's search document. A fixed seed and a fixed
`now` give the same data every run.
"""

import argparse
import json
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Connection, insert, select, text, update

from bench import batches, texts
from shared.models import (
    ActorKind,
    Agent,
    Attachment,
    Category,
    Counter,
    Customer,
    Department,
    Entry,
    EntryKind,
    Organization,
    Product,
    Status,
    Ticket,
    Visibility,
)
from shared.models.catalog import department_agents
from shared.people.accounts import set_password
from shared.queues import counters
from shared.search.index import CUSTOMERS, SEPARATOR, TABLE
from wsgi import create_app

SEED = 1042
PASSWORD = "deskbell-bench"
ADMIN = "admin@bench.example"
PORTAL_CUSTOMER = "portal@bench.example"
PORTAL_TICKETS = 500
LONG_TICKET_ENTRIES = 120
BATCH = 5000  # tickets per transaction
SEARCH_WORD = "invoice"  # common enough to match many tickets, as a real search would

DEPARTMENTS = ("Billing", "Technical support", "Sales", "Shipping")  # beside the migration's "General"
PRODUCTS = ("Starter plan", "Team plan", "Enterprise plan", "Mobile app", "Desktop app", "API", "Webshop",
            "Gift cards", "Hardware kit", "Onboarding", "Integrations", "Reports")  # fmt: skip
# How tickets end up: old tickets are nearly all closed, recent ones mostly still open.
OPEN_KEYS = ("new", "assigned", "waiting", "feature_filed", "bug_filed")
OPEN_WEIGHTS = (20, 35, 25, 10, 10)
FILE_TYPES = (("screenshot.png", "image/png"), ("invoice.pdf", "application/pdf"), ("log.txt", "text/plain"),
              ("photo.jpg", "image/jpeg"), ("export.csv", "text/csv"))  # fmt: skip


@dataclass
class Seeded:
    """What the benchmarks need to know of a seeded desk."""

    tickets: int
    entries: int
    attachments: int
    customers: int
    organizations: int
    agents: int
    admin: str
    portal_customer: str
    password: str
    long_ticket: int
    search_word: str
    seconds: float


def make_app(database: Path) -> Flask:
    """Deskbell on the SQLite file `database`, its instance folder beside it."""
    instance = database.parent / f"{database.stem}-instance"
    instance.mkdir(parents=True, exist_ok=True)
    return create_app(
        {
            "SECRET_KEY": "deskbell-bench",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{database}",
        }
    )


def seed(
    database: Path, tickets: int, *, rng_seed: int = SEED, now: datetime | None = None, quiet: bool = False
) -> Seeded:
    """Migrate a new SQLite file at `database` and fill it with `tickets` tickets and all around them."""
    if database.exists():
        raise FileExistsError(f"{database} exists: the seeder only fills a fresh database")
    database.parent.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    started = time.monotonic()
    app = make_app(database)
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        probe = Agent()
        set_password(probe, PASSWORD)  # one argon2 hash serves every account
        from shared.core.extensions import db

        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            conn.commit()
            result = _Seeder(conn, random.Random(rng_seed), now, probe.password_hash, tickets, quiet).run()
            counters.rebuild(conn)  # the bulk inserts went past the counters' flush listener
            conn.commit()
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone holds it all
            conn.commit()
        db.engine.dispose()
    result.seconds = round(time.monotonic() - started, 1)
    (database.parent / f"{database.stem}.json").write_text(json.dumps(asdict(result), indent=2))
    return result


class _Seeder:
    def __init__(
        self, conn: Connection, rng: random.Random, now: datetime, password_hash: str, tickets: int, quiet: bool
    ) -> None:
        self.conn, self.rng, self.now, self.hash, self.total, self.quiet = conn, rng, now, password_hash, tickets, quiet
        self.text = texts.Text(rng)
        self.entry_id = 0
        self.attachment_id = 0

    def run(self) -> Seeded:
        self._people()
        self._catalog()
        statuses = {s.key: (s.id, s.category) for s in self.conn.execute(select(Status)).all()}
        self.statuses = statuses
        self.conn.commit()
        self._tickets()
        with self.conn.begin():
            self.conn.execute(update(Counter).where(Counter.name == "ticket_number").values(value=1000 + self.total))
        return Seeded(
            tickets=self.total,
            entries=self.entry_id,
            attachments=self.attachment_id,
            customers=len(self.customers),
            organizations=self.organizations,
            agents=len(self.agents),
            admin=ADMIN,
            portal_customer=PORTAL_CUSTOMER,
            password=PASSWORD,
            long_ticket=1001,
            search_word=SEARCH_WORD,
            seconds=0.0,
        )

    def _name(self) -> str:
        return f"{self.rng.choice(texts.FIRST)} {self.rng.choice(texts.LAST)}"

    def _people(self) -> None:
        """Agents (20 to 50 as the desk grows), organizations of about 20 customers, 1 customer per 4 tickets."""
        rng, created = self.rng, self.now - timedelta(days=3 * 365)
        n_agents = min(50, 20 + self.total // 30_000)
        agents = [
            {"id": i, "email": ADMIN if i == 1 else f"agent{i}@bench.example", "name": self._name(),
             "password_hash": self.hash, "is_admin": i <= 2, "is_active": True, "is_away": False,
             "created_at": created}
            for i in range(1, n_agents + 1)
        ]  # fmt: skip
        n_customers = max(10, self.total // 4)
        self.organizations = max(1, n_customers // 20)
        orgs = [
            {"id": i, "name": f"Organization {i}", "sharing": i % 5 == 0, "created_at": created}
            for i in range(1, self.organizations + 1)
        ]
        customers = []
        for i in range(1, n_customers + 1):
            name = self._name()
            customers.append(
                {
                    "id": i,
                    "email": PORTAL_CUSTOMER if i == 1 else f"{name.split()[0].lower()}.{i}@customer{i % 997}.example",
                    "name": name,
                    "password_hash": self.hash if i == 1 or rng.random() < 0.6 else None,
                    "is_active": True,
                    "organization_id": rng.randint(1, self.organizations) if rng.random() < 0.7 else None,
                    "created_at": created,
                }
            )
        self.agents = [a["id"] for a in agents]
        self.customers = [(c["id"], " ".join((c["name"], c["email"], c["email"].partition("@")[2]))) for c in customers]
        with self.conn.begin():
            self.conn.execute(insert(Agent), agents)
            self.conn.execute(insert(Organization), orgs)
            for start in range(0, len(customers), 50_000):
                self.conn.execute(insert(Customer), customers[start : start + 50_000])
            # The customer text the search index holds (shared/search/index.py writes it with a ticket's first message).
            self.conn.exec_driver_sql(f"INSERT INTO {CUSTOMERS} (customer_id, text) VALUES (?, ?)", self.customers)

    def _catalog(self) -> None:
        with self.conn.begin():
            self.conn.execute(insert(Department), [{"name": name, "is_active": True} for name in DEPARTMENTS])
            departments = list(self.conn.scalars(select(Department.id).order_by(Department.id)))
            self.conn.execute(
                insert(Product),
                [
                    {"name": name, "department_id": departments[i % len(departments)], "is_active": True}
                    for i, name in enumerate(PRODUCTS)
                ],
            )
            products = self.conn.execute(select(Product.id, Product.department_id)).all()
            members = [
                {"department_id": d, "agent_id": a} for d in departments for a in self.agents if (a + d) % 3 == 0
            ]
            self.conn.execute(insert(department_agents), members)
        self.departments = departments
        self.products = products

    def _tickets(self) -> None:
        started = time.monotonic()
        span = timedelta(days=3 * 365).total_seconds()
        portal_every = max(10, self.total // PORTAL_TICKETS)
        for first in range(1, self.total + 1, BATCH):
            rows: list[dict] = []
            entries: list[dict] = []
            files: list[dict] = []
            documents: list[dict] = []
            for ticket_id in range(first, min(first + BATCH, self.total + 1)):
                # Ticket numbers rise with creation time, as when a desk runs for three years.
                created = self.now - timedelta(seconds=span * (1 - ticket_id / (self.total + 1)) + 3600)
                customer = self.customers[0] if ticket_id % portal_every == 0 else self.rng.choice(self.customers)
                self._ticket(ticket_id, created, customer, rows, entries, files, documents)
            with self.conn.begin():
                batches.insert_many(self.conn, Ticket, rows)
                batches.insert_many(self.conn, Entry, entries)
                if files:
                    batches.insert_many(self.conn, Attachment, files)
                self.conn.execute(
                    text(
                        f"INSERT INTO {TABLE} (rowid, subject, customer, body) VALUES (:id, :subject, :customer, :body)"
                    ),
                    documents,
                )
            if not self.quiet:
                batches.progress("tickets", min(first + BATCH - 1, self.total), self.total, started)

    def _ticket(
        self,
        ticket_id: int,
        created: datetime,
        customer: tuple[int, str],
        rows: list[dict],
        entries: list[dict],
        files: list[dict],
        documents: list[dict],
    ) -> None:
        """One ticket and its story: the customer writes, an agent takes it, replies and notes go back
        and forth, and the status moves as the rules would move it."""
        rng = self.rng
        recent = ticket_id > self.total * 0.9
        still_open = rng.random() < (0.75 if recent else 0.04)
        final = rng.choices(OPEN_KEYS, OPEN_WEIGHTS)[0] if still_open else "closed"
        length = LONG_TICKET_ENTRIES if ticket_id == 1 else max(3, min(8, round(rng.triangular(3, 8, 4))))
        if final == "new":
            length = min(length, 3)
        department = rng.choice(self.departments)
        product = rng.choice(self.products)[0] if rng.random() < 0.7 else None
        agent = None if final == "new" else rng.choice(self.agents)
        channel = rng.choice(("web", "web", "web", "email", "email", "phone", "chat"))
        customer_id, customer_text = customer
        word = rng.choice(texts.WORDS)
        subject = rng.choice(texts.SUBJECTS).format(w=word, W=word.capitalize())

        at = created
        story: list[dict] = []
        bodies: list[str] = []
        public = (created, ActorKind.CUSTOMER, customer_id, None, "")
        first_response = None
        status = "new"
        status_changed = created

        def add(kind: str, visibility: str, author: str, body: str = "", event: str | None = None,
                data: dict | None = None) -> None:  # fmt: skip
            nonlocal public, first_response
            self.entry_id += 1
            entry = {
                "id": self.entry_id, "ticket_id": ticket_id, "kind": kind, "visibility": visibility,
                "author_kind": author, "customer_id": customer_id if author == ActorKind.CUSTOMER else None,
                "agent_id": agent if author == ActorKind.AGENT else None, "body": body,
                "body_html": texts.html(body) if body else "", "event": event, "data": data or {},
                "channel": channel if author == ActorKind.CUSTOMER else "web", "created_at": at,
            }  # fmt: skip
            story.append(entry)
            if kind == EntryKind.MESSAGE:
                bodies.append(body)
                if rng.random() < 0.08:
                    self.attachment_id += 1
                    name, content_type = rng.choice(FILE_TYPES)
                    files.append(
                        {
                            "id": self.attachment_id,
                            "entry_id": self.entry_id,
                            "filename": name,
                            "content_type": content_type,
                            "size": rng.randint(2_000, 3_000_000),
                            "sha256": f"{rng.getrandbits(256):064x}",
                            "created_at": at,
                        }
                    )
            if visibility == Visibility.PUBLIC:
                preview = texts.preview(body) if body else public[4]
                public = (at, author, entry["customer_id"], entry["agent_id"], preview)
                if author == ActorKind.AGENT and kind == EntryKind.MESSAGE and first_response is None:
                    first_response = at

        def move(to: str, actor: str, rule: str | None = None) -> None:
            nonlocal status, status_changed
            add(EntryKind.EVENT, Visibility.INTERNAL, actor, event="status",
                data={"from": status, "to": to, "rule": rule})  # fmt: skip
            status, status_changed = to, at

        def later(low: int, high: int) -> None:
            nonlocal at
            at += timedelta(seconds=rng.randint(low, high))

        add(EntryKind.MESSAGE, Visibility.PUBLIC, ActorKind.CUSTOMER, self.text.body())
        move("new", ActorKind.CUSTOMER, "1. A new ticket is New; the customer gets an acknowledgement")
        if agent is not None:
            later(300, 4 * 3600)
            add(EntryKind.EVENT, Visibility.INTERNAL, ActorKind.AGENT, event="assignment",
                data={"from": None, "to": agent})  # fmt: skip
            move("assigned", ActorKind.AGENT, "2. Assigning a New ticket makes it Assigned")
        turn = ActorKind.AGENT
        while len(story) < length - (1 if final not in ("new", "assigned") else 0):
            later(600, 2 * 86400)
            if turn == ActorKind.AGENT and rng.random() < 0.15:
                add(EntryKind.MESSAGE, Visibility.INTERNAL, ActorKind.AGENT, self.text.paragraph(rng.randint(1, 3)))
                continue
            add(EntryKind.MESSAGE, Visibility.PUBLIC, turn, self.text.body())
            turn = ActorKind.CUSTOMER if turn == ActorKind.AGENT else ActorKind.AGENT
        if final not in ("new", "assigned"):
            later(600, 86400)
            move(final, ActorKind.AGENT if final != "closed" or rng.random() < 0.8 else ActorKind.SYSTEM)
            if final == "closed" and story[-1]["author_kind"] == ActorKind.SYSTEM:
                story[-1]["data"]["rule"] = "8. Waiting tickets close after 7 days"
        entries.extend(story)

        status_id, category = self.statuses[final]
        is_open = category != Category.CLOSED
        running = category in (Category.NEW, Category.OPEN)  # the SLA clock stops while pending or on hold
        first_due = created + timedelta(hours=8) if running and first_response is None else None
        resolution_due = created + timedelta(days=3) if running else None
        dues = [d for d in (first_due, resolution_due) if d is not None]
        rows.append(
            {
                "id": ticket_id, "number": 1000 + ticket_id, "subject": subject,
                "type": rng.choices(("question", "feature", "bug"), (70, 15, 15))[0],
                "priority": rng.choices(("low", "normal", "high", "urgent"), (15, 60, 20, 5))[0],
                "channel": channel, "status_id": status_id, "department_id": department, "product_id": product,
                "customer_id": customer_id, "assignee_id": agent, "is_problem": False,
                "created_at": created, "updated_at": at, "status_changed_at": status_changed,
                "closed_at": status_changed if not is_open else None,
                "last_public_at": public[0], "last_public_by": public[1], "last_public_customer_id": public[2],
                "last_public_agent_id": public[3], "last_public_preview": public[4],
                "first_response_due_at": first_due, "resolution_due_at": resolution_due,
                "sla_due_at": min(dues) if dues else None, "first_response_at": first_response,
                "first_response_breached_at": first_due if first_due and first_due < self.now else None,
                "resolution_breached_at": resolution_due if resolution_due and resolution_due < self.now else None,
            }
        )  # fmt: skip
        documents.append(
            {"id": ticket_id, "subject": subject, "customer": customer_text, "body": SEPARATOR.join(bodies)}
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="the new SQLite file")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    result = seed(args.database.resolve(), args.tickets, rng_seed=args.seed)
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
