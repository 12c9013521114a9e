"""Demo data for `flask --app wsgi demo seed`: two months in the life of a small business's desk.

Every ticket is made by the same verbs the portal, console and mail intake call, under a frozen
clock, so the rules, history, "last updated by" and outbox look exactly as after real use. Each
ticket's story is planned first, then all stories are played back in time order, so ticket numbers
rise with their creation time. A fixed seed gives the same data every run.
"""

import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from shared.core.clock import frozen_at, utcnow
from shared.core.extensions import db
from shared.demo import texts
from shared.models import Agent, Category, Customer, Department, OutboxMessage, Product, Status, Ticket
from shared.people import accounts
from shared.records import reads
from shared.tickets import assignment, canned, conversation, links, properties, ratings, rules
from shared.tickets.attachments import Upload

DEMO_PASSWORD = "deskbell-demo"
SEED = 1042
WINDOW = timedelta(days=60)
MIN, HOUR, DAY = 60, 3600, 86400
# Seconds between one step and the next, by who acts: agents within the working day, customers
# within days, notes soon after what prompted them.
GAPS = {"note": (2 * MIN, 3 * HOUR), "agent": (15 * MIN, 20 * HOUR), "customer": (40 * MIN, 3 * DAY)}
# How the tickets end up, as weights; every status gets at least one ticket.
FINALS = {"closed": 38, "waiting": 14, "assigned": 16, "new": 12, "feature_filed": 10, "bug_filed": 10}
# Open tickets are recent: their last step (for Waiting, the move to it) lies within this many
# seconds of now, so the pending timer does not close demo tickets the moment the worker starts.
RECENT = {"new": 2 * DAY, "waiting": 6 * DAY, "assigned": 12 * DAY}


def admin_email() -> str:
    return f"{texts.AGENTS[0][0]}@{texts.DOMAIN}"


def already_seeded() -> bool:
    """True when the demo agents exist, so `make run` twice keeps the data people worked on."""
    return accounts.find_agent(admin_email()) is not None


def login_lines() -> list[str]:
    """The addresses and demo logins, printed after seeding so people can start clicking."""
    base = current_app.config["BASE_URL"].rstrip("/")
    agent = f"{texts.AGENTS[1][0]}@{texts.DOMAIN}"
    customer = texts.ORGANIZATIONS[0][2][0][1]
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
    cast = _cast(rng, now - WINDOW - timedelta(days=30))
    finals = list(FINALS)[:count] + rng.choices(list(FINALS), list(FINALS.values()), k=max(0, count - 6))
    rng.shuffle(finals)
    stories = [_Story(rng, cast, final, now) for final in finals]
    stories.sort(key=lambda s: s.start)
    for story in stories:
        story.play()
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


@dataclass
class _Cast:
    agents: list[Agent]
    specialists: dict[str, list[Agent]]
    customers: list[Customer]
    weights: list[float]
    departments: dict[str, Department]
    products: dict[str, Product]
    statuses: dict[str, Status]
    # The rarer ways in, each given to one early ticket so even a small demo shows them all.
    rare_channels: list[str] = field(default_factory=lambda: ["walk_in", "chat", "phone"])


def _cast(rng: random.Random, since: datetime) -> _Cast:
    """Agents, customers, departments and products, created a month before the first ticket."""
    with frozen_at(since):
        departments = {name: _catalog_row(Department, name) for name in texts.DEPARTMENTS}
        products = {name: _catalog_row(Product, name, department=departments[dept]) for name, dept in texts.PRODUCTS}
        agents, specialists = [], {name: [] for name in texts.DEPARTMENTS}
        for local, name, is_admin, dept in texts.AGENTS:
            password = None if agents else DEMO_PASSWORD
            agent = accounts.create_agent(f"{local}@{texts.DOMAIN}", name=name, is_admin=is_admin, password=password)
            agents.append(agent)
            specialists[dept].append(agent)
        for name, department in departments.items():  # who works which department (assignment stays manual)
            department.agents = list(specialists[name])
        for title, body in texts.CANNED:  # kept by the admin, shared with everyone
            canned.create_canned(title, body, shared=True, actor=agents[0])
        # One argon2 hash (~0.1 s each) serves every demo account: they share the demo password.
        demo_hash = agents[0].password_hash
        for agent in agents:
            agent.password_hash = demo_hash
        customers = []
        for org, sharing, members in texts.ORGANIZATIONS:
            customers += [_customer(name, email, has_password, demo_hash, org) for name, email, has_password in members]
            customers[-1].organization.sharing = sharing
        customers += [_customer(name, email, has_pw, demo_hash, None) for name, email, has_pw in texts.INDIVIDUALS]
        db.session.flush()
    # A few regulars write often, most customers now and then.
    weights = [1 / (i + 1) ** 0.6 for i in range(len(customers))]
    rng.shuffle(weights)
    statuses = {s.key: s for s in db.session.scalars(select(Status))}
    return _Cast(agents, specialists, customers, weights, departments, products, statuses)


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


class _Story:
    """One ticket's life as timed steps: planned on creation, played back by `play()`."""

    def __init__(self, rng: random.Random, cast: _Cast, final: str, now: datetime) -> None:
        self.rng, self.cast, self.final = rng, cast, final
        self.steps: list[tuple[float, Callable[[], object]]] = []
        self.ticket: Ticket | None = None
        self.task = final in ("new", "assigned", "closed") and rng.random() < 0.05
        if self.task:
            self.customer, self.opener, self.dept = None, None, "General"
        else:
            self.customer = rng.choices(cast.customers, cast.weights)[0]
            wanted = {"feature_filed": "feature", "bug_filed": "bug"}.get(final)
            self.opener = rng.choice([o for o in texts.OPENERS if wanted in (None, o[0])])
            self.dept = self.opener[1]
        pool = cast.specialists[self.dept] or cast.agents
        self.agent = rng.choice(pool) if rng.random() < 0.85 else rng.choice(cast.agents)
        product = (self.opener and self.opener[2]) or "Tallybook"
        self.values = {
            "first": (self.customer.name if self.customer else "there").split()[0],
            "agent": self.agent.name.split()[0],
            "colleague": rng.choice([a for a in cast.agents if a is not self.agent]).name.split()[0],
            "product": product,
            "inv": f"INV-{rng.randint(2000, 4999)}",
            "n": rng.randint(100, 999),
            "serial": f"{'RP' if 'printer' in product else 'T2'}-{rng.randint(10000, 99999)}",
            "amount": f"{rng.choice([29, 49, 79, 129])}.00",
            "count": rng.randint(2, 14),
            "month": rng.choice(texts.MONTHS),
        }
        self._plot()
        total = sum(gap for gap, _ in self.steps)
        slack = RECENT.get(final, WINDOW.total_seconds() - total)
        end = now - timedelta(seconds=5 * MIN + rng.uniform(0, max(slack, 0)))
        self.start = max(now - WINDOW, end - timedelta(seconds=total))

    def play(self) -> None:
        """Run the steps, each at its own moment. Flushing inside the moment matters: columns that
        default to `utcnow` (attachments, outbox) take their time at flush, not when built."""
        at = self.start
        for gap, action in self.steps:
            at += timedelta(seconds=gap)
            with frozen_at(at):
                action()
                db.session.flush()
        # Done: let go of the ticket, so the session does not keep every ticket and entry alive.
        self.steps, self.ticket = [], None

    # The plot: which steps, in which order, for the status the ticket should end in.

    def _plot(self) -> None:
        rng, final = self.rng, self.final
        self._open()
        if self.task:
            if final != "new":
                self._assign(self.agent)
            for _ in range(rng.randint(1 if final == "new" else 0, 2)):
                self._note(texts.TASK_NOTES)
            if final == "closed":
                self._status("closed")
            return
        if final == "new":
            for step in rng.sample([self._nudge, self._triage_note, self._reprioritise], rng.randint(1, 2)):
                step()
            return
        if rng.random() < 0.25:
            self._triage_note()
        self._assign(self.agent)
        if rng.random() < 0.3:
            self._reprioritise()
        # The troubleshooting questions (which socket, which invoice) fit problems, not questions or wishes.
        asked = self.opener[0] == "bug" and rng.random() < (0.8 if final == "bug_filed" else 0.5)
        if asked:
            question, answer = rng.choice(texts.ASKS[self.dept])
            self._agent(question)
            self._customer([answer])
        getattr(self, f"_end_{final}")(asked)

    def _end_waiting(self, asked: bool) -> None:
        self._agent(self.opener[5], attach=0.05)

    def _end_assigned(self, asked: bool) -> None:
        rng = self.rng
        if not asked and rng.random() < 0.4:
            # Solved, closed, then the problem came back within the reopen window.
            self._agent(self.opener[5], status="closed")
            self._customer(texts.CUSTOMER_REOPENS, gap=(DAY, 5 * DAY))
        for _ in range(rng.randint(0 if asked else 1, 2)):
            self._note(texts.INTERNAL_NOTES)

    def _end_feature_filed(self, asked: bool) -> None:
        if self.rng.random() < 0.6:
            self._note(texts.INTERNAL_FEATURE_NOTES)
        self._agent(self.rng.choice(texts.AGENT_FEATURE_FILED), status="feature_filed")
        if self.rng.random() < 0.4:
            self._customer(texts.CUSTOMER_ON_HOLD)

    def _end_bug_filed(self, asked: bool) -> None:
        self._note(texts.INTERNAL_BUG_NOTES, attach=0.1)
        if self.rng.random() < 0.5:
            self._agent(self.rng.choice(texts.AGENT_BUG_FILED), status="bug_filed")
        else:
            self._status("bug_filed")
            self._agent(self.rng.choice(texts.AGENT_BUG_FILED))
        if self.rng.random() < 0.4:
            self._customer(texts.CUSTOMER_ON_HOLD)

    def _end_closed(self, asked: bool) -> None:
        rng = self.rng
        ending = rng.choices(["direct", "confirmed", "expired"], [3, 5, 2])[0]
        if ending == "direct":
            self._agent(self.opener[5] + texts.AGENT_DIRECT_CLOSE, status="closed")
            self._rate(0.3)
            return
        self._agent(self.opener[5], attach=0.05)
        if ending == "expired":
            waiting_since = len(self.steps)
            if rng.random() < 0.5:
                self._agent(rng.choice(texts.AGENT_CHECK_IN), gap=(2 * DAY, 4 * DAY))
            self._expire(sum(gap for gap, _ in self.steps[waiting_since:]))
            return
        self._customer(texts.CUSTOMER_THANKS)
        if rng.random() < 0.5:
            self._agent(rng.choice(texts.AGENT_CLOSING), status="closed", gap=(5 * MIN, 4 * HOUR))
        else:
            self._status("closed")
        self._rate(0.6)

    # Steps. Each appends a timed action that calls one domain verb when played.

    def _then(self, gap: tuple[float, float], action: Callable[[], object]) -> None:
        self.steps.append((self.rng.uniform(*gap), action))

    def _fill(self, text: str) -> str:
        return text.format(**self.values)

    def _uploads(self, text: str, chance: float) -> list[Upload]:
        """A file when the text says one is attached, else now and then."""
        if "attached" not in text and self.rng.random() >= chance:
            return []
        return [_attachment(self.rng, self.dept, self.values, text)]

    def _open(self) -> None:
        rng, cast = self.rng, self.cast
        if self.task:
            subject, body = rng.choice(texts.TASKS)
            channel, actor, priority, uploads = "agent", rng.choice(cast.agents), "normal", []
            product = None
        else:
            kind, _, product_name, subject, body, _ = self.opener
            body += rng.choice(texts.SIGN_OFFS)
            # Files come by web or email; customers without a password only ever wrote by email.
            told = 0 if "attached" in body else 1  # a request told to an agent: a call, a chat, a visit
            weights = [55, 25, 10 * told, 6 * told, 4 * told]
            channel = rng.choices(["web", "email", "phone", "chat", "walk_in"], weights)[0]
            if told and self.customer.password_hash and cast.rare_channels:
                channel = cast.rare_channels.pop()
            channel = channel if self.customer.password_hash else "email"
            actor, priority = self.customer, "normal"
            if channel in texts.TAKEN_BY:
                actor, body = self.agent, texts.TAKEN_BY[channel] + body
                priority = rng.choices(["low", "normal", "high", "urgent"], [2, 5, 3, 1])[0]
            uploads = self._uploads(body, 0.15 if kind == "bug" else 0.03)
            product = cast.products.get(product_name)
        self.channel = channel
        subject, body = self._fill(subject), self._fill(body)
        department = cast.departments[self.dept]

        def open_it() -> None:
            self.ticket = conversation.open_ticket(
                actor=actor,
                customer=self.customer,
                subject=subject,
                body=body,
                department=department,
                type=self.opener[0] if self.opener else "question",
                product=product,
                priority=priority,
                channel=channel,
                uploads=uploads,
            )
            if channel == "web":
                reads.mark_seen(self.ticket, self.customer)

        self.steps.append((0.0, open_it))

    def _customer(self, pool: list[str], *, attach: float = 0.0, gap: tuple[float, float] = GAPS["customer"]) -> None:
        rng, customer = self.rng, self.customer
        org = customer.organization
        if org is not None and org.sharing and rng.random() < 0.3:
            customer = rng.choice(org.members)  # a colleague answers for the clinic
        channel = "email" if self.channel == "email" or customer.password_hash is None else "web"
        signed = {**self.values, "first": customer.display_name.split()[0]}  # whoever writes signs it
        body = (rng.choice(pool) + rng.choice(texts.SIGN_OFFS)).format(**signed)
        uploads = self._uploads(body, attach)

        def reply() -> None:
            conversation.post_reply(self.ticket, actor=customer, body=body, uploads=uploads, channel=channel)
            if channel == "web":  # they answered on the ticket page, so they have seen it
                reads.mark_seen(self.ticket, customer)

        self._then(gap, reply)

    def _nudge(self) -> None:
        self._customer(texts.CUSTOMER_NUDGES, attach=0.1, gap=(2 * HOUR, DAY))

    def _agent(self, text: str, *, status: str | None = None, attach: float = 0.0, gap=GAPS["agent"]) -> None:
        body = self._fill(text + texts.AGENT_SIGN_OFF)
        uploads, agent, target = self._uploads(body, attach), self.agent, self.cast.statuses.get(status)
        self._then(
            gap, lambda: conversation.post_reply(self.ticket, actor=agent, body=body, uploads=uploads, status=target)
        )

    def _note(self, pool: list[str], *, attach: float = 0.03) -> None:
        body = self._fill(self.rng.choice(pool))
        uploads = self._uploads(body, attach)
        self._then(
            GAPS["note"],
            lambda: conversation.add_internal_note(self.ticket, actor=self.agent, body=body, uploads=uploads),
        )

    def _triage_note(self) -> None:
        author, body = self.rng.choice(self.cast.agents), self._fill(self.rng.choice(texts.INTERNAL_NOTES))
        self._then(GAPS["note"], lambda: conversation.add_internal_note(self.ticket, actor=author, body=body))

    def _assign(self, assignee: Agent) -> None:
        # The lead dispatches half the tickets; agents pick up the rest themselves.
        actor = self.cast.agents[0] if self.rng.random() < 0.5 else assignee
        self._then(GAPS["agent"], lambda: assignment.assign_ticket(self.ticket, assignee, actor=actor))

    def _rate(self, chance: float) -> None:
        """Now and then the customer rates the closed ticket on the portal, mostly well."""
        rng, customer = self.rng, self.customer
        if customer.password_hash is None or rng.random() >= chance:
            return  # email-only customers never see the portal's rating form
        score = rng.choices([5, 4, 3, 2, 1], [10, 6, 2, 1, 1])[0]
        comment = rng.choice(texts.RATING_COMMENTS[score]) if rng.random() < 0.5 else ""

        def rate() -> None:
            ratings.rate_ticket(self.ticket, actor=customer, score=score, comment=comment)
            reads.mark_seen(self.ticket, customer)  # rated on the ticket page

        self._then((10 * MIN, DAY), rate)

    def _reprioritise(self) -> None:
        priority = self.rng.choices(["low", "high", "urgent"], [3, 4, 2])[0]
        self._then(GAPS["note"], lambda: properties.change_priority(self.ticket, priority, actor=self.agent))

    def _status(self, key: str) -> None:
        target = self.cast.statuses[key]
        self._then(GAPS["note"], lambda: properties.change_status(self.ticket, target, actor=self.agent))

    def _expire(self, waited: float) -> None:
        """The worker's pending timer, run when it would have closed this ticket, `waited` seconds
        after the reply that left it waiting on the customer."""
        days = (rules.pending_expiry_days() or [7])[0]
        wait = days * DAY - waited + self.rng.uniform(10 * MIN, 6 * HOUR)
        self._then((wait, wait), lambda: properties.expire_pending(now=utcnow()))


def _attachment(rng: random.Random, dept: str, values: dict, text: str) -> Upload:
    """A small, valid file of the kind the message mentions, or that its department's tickets carry."""
    hints = {"screenshot": "png", "log from": "txt", "printer's log": "txt", "spreadsheet": "csv", "PDF": "pdf"}
    kind = next((kind for word, kind in hints.items() if word in text), None)
    kind = kind or rng.choice({"Billing": ["pdf", "csv"], "Hardware": ["txt", "png"]}.get(dept, ["png", "png", "csv"]))
    if kind == "png":
        return Upload(rng.choice(["screenshot.png", "calendar-view.png", "error.png"]), _png(rng))
    if kind == "pdf":
        lines = [f"Tallybook invoice {values['inv']}", f"Total: {values['amount']} EUR"]
        return Upload(f"{values['inv']}.pdf", _pdf(lines))
    if kind == "csv":
        rows = ["date,client,service,price"] + [
            f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)},Client {rng.randint(1, 400)},"
            f"{rng.choice(['Cut', 'Colour', 'Massage', 'Check-up'])},{rng.randint(20, 120)}.00"
            for _ in range(rng.randint(3, 12))
        ]
        return Upload(rng.choice(["bookings-export.csv", "clients.csv"]), "\n".join(rows).encode() + b"\n")
    events = ["INFO ready", "INFO print job", "WARN sleep timer", "ERROR no ack from host"]
    times = sorted((rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)) for _ in range(8))
    lines = [f"{h:02d}:{m:02d}:{s:02d} {rng.choice(events)}" for h, m, s in times]
    return Upload("device-log.txt", ("\n".join(lines) + "\n").encode())


def _png(rng: random.Random, width: int = 160, height: int = 100) -> bytes:
    """A tiny made-up screenshot: a coloured title bar, a sidebar and grey lines of 'text'."""
    accent = bytes(rng.choice([(37, 99, 235), (22, 163, 74), (219, 39, 119), (234, 88, 12)]))
    sidebar, ink, paper = bytes((230, 232, 236)) * 32, bytes((120, 120, 120)), bytes((250, 250, 250))
    rows = []
    for y in range(height):
        if y < 14:
            row = accent * width
        elif y % 10 in (3, 4) and y < height - 8:
            length = rng.randint(30, width - 50)
            row = sidebar + ink * length + paper * (width - 32 - length)
        else:
            row = sidebar + paper * (width - 32)
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of Helvetica, with a correct cross-reference table."""
    text = " ".join(f"({line.replace('(', '').replace(')', '')}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 56 780 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
