"""One demo ticket's life, planned as timed steps and played back through the same verbs the
portal, console and mail intake call, under a frozen clock."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.core.clock import frozen_at, utcnow
from shared.core.extensions import db
from shared.demo import files, requests, texts
from shared.models import Agent, Customer, Department, Product, Status, Ticket
from shared.records import reads
from shared.tickets import assignment, conversation, properties, ratings, rules
from shared.tickets.attachments import Upload

# Tickets are spread over the last two months.
WINDOW = timedelta(days=60)
MIN, HOUR, DAY = 60, 3600, 86400
# Seconds between one step and the next, by who acts: agents within the working day, customers
# within days, notes soon after what prompted them.
GAPS = {"note": (2 * MIN, 3 * HOUR), "agent": (15 * MIN, 20 * HOUR), "customer": (40 * MIN, 3 * DAY)}
# Open tickets are recent: their last step (for Waiting, the move to it) lies within this many
# seconds of now, so the pending timer does not close demo tickets the moment the worker starts.
RECENT = {"new": 2 * DAY, "waiting": 6 * DAY, "assigned": 12 * DAY}


@dataclass
class Cast:
    agents: list[Agent]
    specialists: dict[str, list[Agent]]
    customers: list[Customer]
    weights: list[float]
    departments: dict[str, Department]
    products: dict[str, Product]
    statuses: dict[str, Status]
    # The rarer ways in, each given to one early ticket so even a small demo shows them all.
    rare_channels: list[str] = field(default_factory=lambda: ["walk_in", "chat", "phone"])


class Story:
    """One ticket's life as timed steps: planned on creation, played back by `play()`."""

    def __init__(self, rng: random.Random, cast: Cast, final: str, now: datetime) -> None:
        self.rng, self.cast, self.final = rng, cast, final
        self.steps: list[tuple[float, Callable[[], object]]] = []
        self.ticket: Ticket | None = None
        self.task = final in ("new", "assigned", "closed") and rng.random() < 0.05
        if self.task:
            self.customer, self.opener, self.dept = None, None, "General"
        else:
            self.customer = rng.choices(cast.customers, cast.weights)[0]
            wanted = {"feature_filed": "feature", "bug_filed": "bug"}.get(final)
            self.opener = rng.choice([o for o in requests.OPENERS if wanted in (None, o[0])])
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
                self._note(requests.TASK_NOTES)
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
        return [files.attachment(self.rng, self.dept, self.values, text)]

    def _open(self) -> None:
        rng, cast = self.rng, self.cast
        if self.task:
            subject, body = rng.choice(requests.TASKS)
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
