"""Full-text search: what is found, in what order, with which marks, narrowed how, and kept in step
with the tickets in their own transaction. Runs on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

import importlib.util
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import event, text

from shared.core.clock import frozen_at
from shared.people import accounts, customers
from shared.queues import lists
from shared.records import catalog
from shared.search import index, terms
from shared.search import query as search_query
from shared.tickets import assignment, conversation
from tests.querycount import recorded
from tests.shared.mail.inbound import compose, deliver

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations" / "versions"


def numbers(agent, query: str, **filters) -> list[int]:
    return [hit.ticket.number for hit in search_query.search(agent, query, search_query.SearchFilters(**filters)).hits]


def test_subjects_messages_notes_and_customers_are_found_and_a_subject_match_ranks_first(
    db, agent, customer, make_customer, make_ticket
):
    in_body = make_ticket(customer, subject="Cannot log in", body="The refund for my invoice never came.")
    in_subject = make_ticket(customer, subject="Refund not received", body="Still waiting for the money.")
    noted = make_ticket(make_customer("dan@shop.example", name="Dan Dorsey"), subject="Printer", body="Paper jam")
    conversation.add_internal_note(noted, actor=agent, body="Gave a partial refund by phone.")
    make_ticket(customer, subject="Unrelated", body="Nothing to see.")
    db.session.commit()

    best, *others = numbers(agent, "refund")
    assert best == in_subject.number and set(others) == {in_body.number, noted.number}
    assert numbers(agent, "Dorsey") == [noted.number]
    assert numbers(agent, "dan@shop.example") == [noted.number]
    assert numbers(agent, "shop.example") == [noted.number]
    assert numbers(agent, "refund invoice") == [in_body.number]  # every word must be there
    assert numbers(agent, "refu") == numbers(agent, "refund")  # the last word may be a beginning
    assert numbers(agent, "refu invoice") == []  # ...but only the last
    assert numbers(agent, "re") == []  # ...of three letters or more


def test_passages_are_escaped_and_carry_only_our_marks(db, agent, customer, make_ticket):
    make_ticket(
        customer,
        subject="Widget <b>broken</b> again",
        body="It shows <script>alert('x')</script> then the widget crashes. Odd marks: \ue001 \ue000 here.",
    )
    [hit] = search_query.search(agent, "widget").hits
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>widget</mark>" in hit.snippet.lower()
    assert str(hit.subject) == "<mark>Widget</mark> &lt;b&gt;broken&lt;/b&gt; again"
    for html in (str(hit.snippet), str(hit.subject)):
        assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0
        assert html.count("<mark>") == html.count("</mark>")
    [hit] = search_query.search(agent, "script").hits
    assert "<mark>script</mark>&gt;" in hit.snippet


def test_a_long_message_gives_a_short_passage_around_the_match(db, agent, customer, make_ticket):
    filler = " ".join(f"word{n}" for n in range(400))
    make_ticket(customer, subject="Long", body=f"{filler} the flux capacitor hums {filler}")
    [hit] = search_query.search(agent, "capacitor").hits
    assert "<mark>capacitor</mark>" in hit.snippet and len(hit.snippet) < 400


def test_cyrillic_and_accents(db, agent, customer, make_ticket):
    ticket = make_ticket(customer, subject="Принтер не печатает", body="Ошибка Ёлка на странице оплаты, café")
    assert numbers(agent, "ПРИНТЕР") == [ticket.number]
    assert numbers(agent, "печат") == [ticket.number]
    assert numbers(agent, "ошибка ЁЛКА") == [ticket.number]
    assert numbers(agent, "cafe") == numbers(agent, "CAFÉ") == [ticket.number]
    [hit] = search_query.search(agent, "оплаты").hits
    assert "<mark>оплаты</mark>" in hit.snippet


def test_filters_narrow_by_status_assignee_department_and_dates(db, agent, make_agent, customer, make_ticket, put_in):
    other_desk = catalog.create_department("Billing", actor=agent)
    with frozen_at(datetime(2026, 3, 2, 12)):
        old = make_ticket(customer, subject="Invoice in March", body="x")
    new = make_ticket(customer, subject="Invoice today", body="x")
    billing = conversation.open_ticket(
        actor=customer, customer=customer, department=other_desk, subject="Invoice to Billing", body="x"
    )
    colleague = make_agent("cy@desk.example")
    assignment.assign_ticket(new, colleague, actor=agent)
    put_in(old, "closed")

    everything = set(numbers(agent, "invoice"))
    assert everything == {old.number, new.number, billing.number}
    assert numbers(agent, "invoice", status="closed") == [old.number]
    assert set(numbers(agent, "invoice", status=search_query.OPEN)) == {new.number, billing.number}
    assert numbers(agent, "invoice", assignee=colleague.id) == [new.number]
    assert set(numbers(agent, "invoice", assignee=lists.NOBODY)) == {old.number, billing.number}
    assert numbers(agent, "invoice", department=other_desk.id) == [billing.number]
    march = {"since": date(2026, 3, 1), "until": date(2026, 3, 2)}
    assert numbers(agent, "invoice", dated="created", **march) == [old.number]
    assert set(numbers(agent, "invoice", dated="created", since=date(2026, 3, 3))) == {new.number, billing.number}
    # Closing it just now updated it: by the last update, March holds nothing.
    assert numbers(agent, "invoice", dated="updated", **march) == []


def test_the_index_changes_in_the_ticket_verbs_own_transaction(db, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    conversation.post_reply(ticket, actor=agent, body="Try the zanzibar setting.")
    assert numbers(agent, "zanzibar") == [ticket.number]  # before the commit, in the same transaction
    db.session.rollback()
    assert numbers(agent, "zanzibar") == []
    conversation.add_internal_note(ticket, actor=agent, body="Customer mentioned zanzibar once.")
    db.session.commit()
    assert numbers(agent, "zanzibar") == [ticket.number]
    conversation.post_reply(ticket, actor=customer, body="Quokka!")
    db.session.commit()
    assert numbers(agent, "quokka zanzibar smoke") == [ticket.number]  # all messages, in one document


def test_mail_opens_findable_tickets_and_replies_join_them(db, agent):
    inbound = deliver(compose(sender="Erin Earl <erin@mail.example>", subject="Scanner offline", body="Since Monday."))
    number = inbound.ticket.number
    assert numbers(agent, "scanner") == numbers(agent, "Erin") == numbers(agent, "monday") == [number]
    conversation.post_reply(inbound.ticket, actor=agent, body="Restart the hub.")
    db.session.commit()
    reply = deliver(
        compose(sender="erin@mail.example", subject=f"Re: [#{number}] Scanner offline", body="The hub is blinking.")
    )
    assert reply.ticket.number == number
    assert numbers(agent, "blinking") == [number]


def test_a_customers_new_name_is_found_on_their_tickets(db, agent, customer, make_ticket):
    ticket = make_ticket(customer)
    customers.update_customer(customer, name="Alice Zebrowski", organization=None, actor=agent)
    db.session.commit()
    assert numbers(agent, "zebrowski") == [ticket.number]
    accounts.update_profile(customer, name="Alice Yarrow", locale="en")
    db.session.commit()
    assert numbers(agent, "zebrowski") == [] and numbers(agent, "yarrow") == [ticket.number]


ODD = ['"', '"AND(', "*", "((a", "a)", "NEAR(a b)", "a OR b NOT c", "subject:x", "-x", "^x", "'", "\\", "%_", "a\x00b"]


def test_search_syntax_is_just_text(db, agent, customer, make_ticket):
    ticket = make_ticket(customer, subject="AND OR NOT near", body="Use a*b or (a) then 50% off")
    for query in ODD:
        search_query.search(agent, query)  # never an error from the database
    assert numbers(agent, '"AND(') == [ticket.number]
    assert numbers(agent, "(a)") == [ticket.number]
    assert numbers(agent, "50%") == [ticket.number]
    assert terms.terms('  "  * ( ) ') == []
    assert search_query.search(agent, "  ").hits == []


def test_a_number_alone_is_a_ticket_to_go_to():
    assert [terms.ticket_number(q) for q in ("#1042", "1042", " # 1042 ", "#1042 x", "10-42", "", "#")] == [
        1042,
        1042,
        1042,
        None,
        None,
        None,
        None,
    ]


def test_pages_and_a_count_that_stops_at_the_cap(db, agent, customer, make_ticket, monkeypatch):
    made = [make_ticket(customer, subject=f"Login trouble {n}", body="x") for n in range(5)]
    results = search_query.search(agent, "login", per_page=2, page=2)
    assert (results.total, results.more, results.pages, results.page, len(results.hits)) == (5, False, 3, 2, 2)
    assert search_query.search(agent, "login", per_page=2, page=99).page == 3  # past the end: the last page
    monkeypatch.setattr(search_query, "COUNT_CAP", 3)
    capped = search_query.search(agent, "login", per_page=2)
    assert (capped.total, capped.more, capped.pages) == (4, True, 2)
    assert {hit.ticket.number for hit in capped.hits} <= {t.number for t in made}


def test_only_agents_may_search(db, agent, customer, make_ticket):
    make_ticket(customer, subject="Secret plans")
    assert numbers(agent, "secret") and search_query.search(customer, "secret").hits == []
    agent.is_active = False
    assert search_query.search(agent, "secret").hits == []


@pytest.mark.fresh_database  # PostgreSQL's plan for these few rows follows its statistics
def test_the_query_starts_from_the_index_and_loads_only_its_page(db, agent, customer, make_ticket):
    for n in range(3):
        make_ticket(customer, subject=f"Printer {n}")
    statements = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        search_query.search(agent, "printer", search_query.SearchFilters(status=search_query.OPEN), per_page=2)
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    ranked = next(s for s in statements if "ORDER BY" in s[0] and "ticket_search" in s[0])
    loaded = next(s for s in statements if s[0].lstrip().startswith("SELECT tickets.id, tickets.number"))
    assert "LIMIT" in ranked[0] and "ticket_search" not in loaded[0]  # the page's tickets, by id
    # The first statement counts: the newest COUNT_CAP + 1 matches in the index's own order, unranked.
    assert search_query.COUNT_CAP + 1 in _values(ranked[1]) and "bm25" not in ranked[0] and "ts_rank" not in ranked[0]
    with db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        if db.engine.dialect.name == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # a tiny table would be scanned anyway
            cursor.execute("EXPLAIN " + ranked[0], ranked[1])
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "ix_ticket_search_document" in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + ranked[0], ranked[1])
            plan = [row[3] for row in cursor.fetchall()]
            assert plan[0].startswith("SCAN ticket_search VIRTUAL TABLE")  # the match drives the join
            assert "SEARCH tickets USING INTEGER PRIMARY KEY" in plan[1]
            assert not any("TEMP B-TREE" in step for step in plan)  # newest first as FTS5 reads, no sort


def _values(parameters: object) -> list[object]:
    return list(parameters.values() if isinstance(parameters, dict) else parameters)


def test_past_the_cap_the_newest_are_shown_subject_matches_first(db, agent, customer, make_ticket, monkeypatch):
    """Ranking every match of a common word costs time in proportion to all of them: past the cap the
    newest matches are shown, those with every word in the subject first, and nothing is ranked."""
    oldest = make_ticket(customer, subject="Toaster smokes", body="x")
    older = make_ticket(customer, subject="Kettle", body="The toaster again.")
    in_subject = make_ticket(customer, subject="Toaster sparks", body="x")
    second, newest = (make_ticket(customer, subject=f"Kettle {n}", body="Toaster!") for n in range(2))
    monkeypatch.setattr(search_query, "COUNT_CAP", 3)
    with recorded(db.engine) as statements:
        results = search_query.search(agent, "toast", per_page=2)
    assert (results.total, results.more, results.pages) == (4, True, 2)
    assert [hit.ticket.number for hit in results.hits] == [in_subject.number, newest.number]
    assert [hit.ticket.number for hit in search_query.search(agent, "toast", per_page=2, page=2).hits] == [
        second.number
    ]
    assert not any(rank in statement for statement, _ in statements for rank in ("bm25", "ts_rank"))
    monkeypatch.setattr(search_query, "COUNT_CAP", 5)  # up to the cap, every match is ranked: subjects first
    ranked = numbers(agent, "toast")
    assert set(ranked[:2]) == {oldest.number, in_subject.number} and older.number in ranked[2:]


def test_past_the_cap_a_subject_match_follows_the_index_rules(db, agent, customer, make_ticket, monkeypatch):
    """Subjects are checked in Python past the cap: accents and case fold away, a word of several
    tokens is a phrase (side by side, in order), and only the last word may begin a longer one."""
    body = "Café e-mail receipt"
    make_ticket(customer, subject="CAFE E-Mail receipt", body=body)  # past the newest COUNT_CAP: not shown
    accented = make_ticket(customer, subject="CAFE E-Mail receipts", body=body)
    make_ticket(customer, subject="Mail e café receipts", body=body)  # "e-mail" not side by side
    make_ticket(customer, subject="Cafés e-mail receipt", body=body)  # "café" is not the last word
    newest = make_ticket(customer, subject="Something else", body=body)
    monkeypatch.setattr(search_query, "COUNT_CAP", 4)
    with recorded(db.engine) as statements:
        results = search_query.search(agent, "café e-mail receipt", per_page=2)
    assert results.more
    asked = [statement for statement, _ in statements if " MATCH " in statement or " @@ " in statement]
    assert len(asked) == 1  # the index expands the prefix once, for the newest matches
    assert [hit.ticket.number for hit in results.hits] == [accented.number, newest.number]


def assert_index_is_whole(db) -> None:
    """SQLite: FTS5 checks its index against the documents as the view assembles them now (a document
    taken out with other words than it went in with fails here). PostgreSQL: the stored text is the
    messages' as they are now."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO ticket_search (ticket_search, rank) VALUES ('integrity-check', 1)"))
        return
    stored = dict(db.session.execute(text("SELECT ticket_id, body FROM ticket_search")).all())
    messages = db.session.execute(
        text("SELECT ticket_id, body FROM entries WHERE kind = 'message' AND body != '' ORDER BY id")
    ).all()
    expected = {ticket_id: index.SEPARATOR.join(b for t, b in messages if t == ticket_id) for ticket_id in stored}
    assert stored == expected


def test_every_change_leaves_one_document_per_ticket_as_the_ticket_is_now(db, agent, customer, make_ticket):
    ticket = make_ticket(customer, subject="Router", body="It blinks red.")
    other = make_ticket(customer, subject="Modem", body="Fine.")
    conversation.post_reply(ticket, actor=agent, body="Unplug the router.")
    conversation.add_internal_note(ticket, actor=agent, body="Known firmware bug.")
    customers.update_customer(customer, name="Ada Quill", organization=None, actor=agent)
    conversation.post_reply(ticket, actor=customer, body="Still blinking.")
    accounts.update_profile(customer, name="Ada Wren", locale="en")
    db.session.commit()
    assert_index_is_whole(db)
    assert numbers(agent, "quill") == [] and set(numbers(agent, "wren")) == {ticket.number, other.number}
    assert numbers(agent, "blinks unplug firmware blinking router wren") == [ticket.number]
    [hit] = search_query.search(agent, "firmware").hits
    assert "<mark>firmware</mark>" in hit.snippet
    if db.engine.dialect.name == "sqlite":  # the text is read from the entries, not stored a second time
        tables = set(db.session.scalars(text("SELECT name FROM sqlite_master")))
        assert {"ticket_search", "ticket_search_docsize"} <= tables and "ticket_search_content" not in tables


def test_the_migration_indexes_the_tickets_that_existed_before_it(db, agent, customer, make_ticket):
    ticket = make_ticket(customer, subject="Old modem", body="It hums.")
    conversation.add_internal_note(ticket, actor=agent, body="Firmware 2.1 known bad.")
    internal = conversation.open_ticket_by_agent(
        actor=agent, customer_email=None, subject="Order cables", body="Two metres.", department=ticket.department
    )
    db.session.commit()
    connection = db.session.connection()
    connection.exec_driver_sql("DROP TABLE ticket_search")
    if db.engine.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TEXT SEARCH CONFIGURATION deskbell_search")
    else:
        connection.exec_driver_sql("DROP VIEW ticket_search_documents")
        connection.exec_driver_sql("DROP TABLE ticket_search_customers")
    with Operations.context(MigrationContext.configure(connection)):
        for name in ("0011_search.py", "0015_search_storage.py"):  # built with a copy, then without
            spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), MIGRATIONS / name)
            migration = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(migration)
            migration.upgrade()
    db.session.commit()
    assert_index_is_whole(db)
    assert numbers(agent, "hums firmware archer modem") == [ticket.number]
    assert numbers(agent, "example.com") == [ticket.number]
    assert numbers(agent, "cables metres") == [internal.number]
    conversation.post_reply(ticket, actor=agent, body="Swapped the modem.")  # documents the migration built change
    db.session.commit()
    assert_index_is_whole(db)
    assert numbers(agent, "swapped hums") == [ticket.number]
