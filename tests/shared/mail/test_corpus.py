"""Every message of the public mail corpus (../shared/mail-corpus/public, beside the repository;
skipped when it is absent) goes through intake: stored byte for byte, recorded once, never lost, and read as its
expectations.json entry says. The corpus is ingested once per module, in file order, through
the same `receive` + `process_one` the MTA pipe uses."""

import json
import os

import pytest
from sqlalchemy import select

from shared.core.config import PROJECT_ROOT
from shared.core.extensions import db
from shared.mail import intake, parse
from shared.models import Attachment, InboundMessage, InboundState, OutboxMessage, Ticket
from tests.conftest import make_app

CORPUS = PROJECT_ROOT.parent / "shared" / "mail-corpus" / "public"
NOT_MESSAGES = {"MANIFEST.md", "SHA256SUMS", "expectations.json", "LICENSE.txt"}

if not (CORPUS / "expectations.json").is_file():
    # A fresh clone has only the repository: the messages the tests write themselves (tests/shared/mail/)
    # cover the same behaviours. CI sets DESKBELL_REQUIRE_MAIL_CORPUS, so there it must be present.
    where = f"{CORPUS} (../shared/mail-corpus/public beside the repository)"
    if os.environ.get("DESKBELL_REQUIRE_MAIL_CORPUS"):
        raise RuntimeError(f"The mail corpus is missing: expected it at {where}.")
    pytest.skip(
        f"the public mail corpus is not at {where}; the project's own messages in tests/shared/mail/ still run",
        allow_module_level=True,
    )


def _corpus_files() -> list[str]:
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.name not in NOT_MESSAGES)


FILES = _corpus_files()
EXPECTATIONS = {e["file"]: e for e in json.loads((CORPUS / "expectations.json").read_text())}


def test_the_corpus_is_all_there():
    assert len(FILES) == 113
    assert set(EXPECTATIONS) <= set(FILES)


@pytest.fixture(scope="module")
def ingested(databases, tmp_path_factory):
    """The app after ingesting the whole corpus; per file: (inbound id, whether it was new)."""
    app = make_app(databases, tmp_path_factory.mktemp("corpus") / "instance", MAIL_SENDER_LIMIT_PER_HOUR=1000)
    results = {}
    with app.app_context():
        for name in FILES:
            row, new = intake.receive((CORPUS / name).read_bytes(), source="pipe")
            if new:
                intake.process_one(row.id)
            results[name] = (row.id, new)
        yield app, results
        db.session.remove()
        db.engine.dispose()
    databases.drop(app.config["DATABASE_URL"])


@pytest.mark.parametrize("name", FILES)
def test_corpus_message_is_ingested_and_read(ingested, name):
    app, results = ingested
    raw = (CORPUS / name).read_bytes()
    expected = EXPECTATIONS.get(name)
    with app.app_context():
        inbound_id, new = results[name]
        inbound = db.session.get(InboundMessage, inbound_id)
        parsed = parse.parse(raw)
        # Nothing lost: stored byte for byte, or recorded once under the same Message-ID.
        if new:
            assert intake.raw_bytes(inbound) == raw
        else:
            assert parsed.message_id and inbound.message_id == parsed.message_id
        assert inbound.state != InboundState.PENDING
        if inbound.state == InboundState.QUARANTINED:
            assert inbound.error
        if expected is not None:
            _check_expectations(parsed, expected)
            if new:
                _check_outcome(inbound, parsed, expected)


def _check_expectations(parsed: parse.ParsedMail, expected: dict) -> None:
    want_from = expected["from_address"]
    assert parsed.from_addr == (want_from.lower() if want_from else None)
    if expected["subject"] is not None:
        assert " ".join(parsed.subject.split()) == " ".join(expected["subject"].split())
    if expected["has_attachments"] is not None:
        assert len(parsed.attachments) == expected["has_attachments"]
    assert parsed.is_auto_reply is expected["is_auto_reply"]
    assert parsed.is_bounce is expected["is_bounce"]
    for text in expected["body_contains"]:
        assert text in parsed.text


def _check_outcome(inbound: InboundMessage, parsed: parse.ParsedMail, expected: dict) -> None:
    """What the desk made of it: automatic mail opens no ticket and gets no acknowledgement; a
    person's mail is on a ticket with its text, its files and the original."""
    if expected["is_auto_reply"]:
        assert inbound.state == InboundState.IGNORED and inbound.ticket_id is None
        assert inbound.reason == ("bounce" if expected["is_bounce"] else "auto_reply")
        return
    if inbound.state == InboundState.QUARANTINED:
        return  # no usable sender address: kept with its error (checked above)
    if inbound.reason == "spam":  # the receiving server's filter said so: held for an agent, unanswered
        assert inbound.state == InboundState.HELD and inbound.ticket_id is None and "spam" in inbound.error.lower()
        assert any(value.lower().startswith("yes") for _name, value in parsed.spam_flags)
        return
    assert inbound.entry is not None
    entry = inbound.entry
    if inbound.reason == "new_ticket":
        ticket = db.session.get(Ticket, inbound.ticket_id)
        assert ticket.channel == "email" and entry.ticket_id == ticket.id
        for text in expected["body_contains"]:
            assert " ".join(text.split()) in " ".join(entry.body.split())
        acknowledged = db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.template == "ticket_created", OutboxMessage.ticket_id == ticket.id
            )
        )
        assert (acknowledged is not None) is not parsed.wants_no_acknowledgement
    names = [a.filename for a in db.session.scalars(select(Attachment).where(Attachment.entry_id == entry.id))]
    assert names.count("original.eml") == 1
    if expected["has_attachments"] is not None:
        assert len(names) - 1 == expected["has_attachments"] + len(parsed.unpacked)
