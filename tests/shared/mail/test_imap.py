"""Fetching from a real IMAP server (Dovecot): store first, then tell the mailbox; never lose a message."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from shared import worker
from shared.core.config import ConfigError
from shared.core.extensions import db
from shared.mail import fetch
from shared.models import InboundMessage, InboundState, Ticket
from tests.conftest import make_app
from tests.shared.mail.dovecot import Dovecot
from tests.shared.mail.inbound import compose


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_fetch_stores_processes_and_marks_each_message_seen(db, imap_server):
    first, second = compose(subject="One"), compose(sender="bob@example.com", subject="Two")
    imap_server.deliver("desk", first)
    imap_server.deliver("desk", second)
    result = fetch.fetch()
    assert (result.fetched, result.stored, result.processed) == (2, 2, 2)
    rows = db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [r.source for r in rows] == ["imap", "imap"] and {r.state for r in rows} == {InboundState.PROCESSED}
    assert sorted(t.subject for t in db.session.scalars(select(Ticket))) == ["One", "Two"]
    assert [("\\Seen" in flags, raw) for flags, raw in imap_server.mailbox("desk")] == [(True, first), (True, second)]
    # Seen mail stays in the folder but is not fetched again.
    assert fetch.fetch().fetched == 0


def test_the_same_message_twice_in_the_mailbox_is_recorded_once(db, imap_server):
    raw = compose(message_id="<twice@example.com>")
    imap_server.deliver("desk", raw)
    imap_server.deliver("desk", raw)
    result = fetch.fetch()
    assert (result.fetched, result.stored) == (2, 1) and count(InboundMessage) == 1 and count(Ticket) == 1
    assert all("\\Seen" in flags for flags, _raw in imap_server.mailbox("desk"))


def test_fetch_can_delete_or_move_what_it_stored(app, db, imap_server):
    imap_server.deliver("desk", compose(subject="Deleted"))
    app.config["IMAP_AFTER_FETCH"] = "delete"
    assert fetch.fetch().stored == 1 and imap_server.mailbox("desk") == []
    imap_server.create_folder("desk", "Done")
    moved = compose(subject="Moved")
    imap_server.deliver("desk", moved)
    app.config["IMAP_AFTER_FETCH"] = "move:Done"
    assert fetch.fetch().stored == 1
    assert imap_server.mailbox("desk") == [] and [raw for _f, raw in imap_server.mailbox("desk", "Done")] == [moved]


def test_nothing_is_marked_in_the_mailbox_until_it_is_stored(databases, tmp_path, imap_server):
    """With the database down, the message stays unseen in the mailbox for the next try."""
    imap_server.deliver("desk", compose())
    broken = make_app(
        databases,
        tmp_path / "broken",
        DATABASE_URL="sqlite:////nonexistent-deskbell-dir/deskbell.sqlite",
        IMAP_URL=imap_server.url("desk"),
    )
    with broken.app_context(), pytest.raises(OperationalError):
        fetch.fetch()
    [(flags, _raw)] = imap_server.mailbox("desk")
    assert "\\Seen" not in flags


@pytest.mark.parametrize("scheme", ["imaps", "imap+starttls"])
def test_fetch_over_tls_verifies_the_server(app, db, imap_server, scheme):
    imap_server.deliver("desk", compose())
    url = imap_server.url("desk", scheme=scheme)
    with pytest.raises(fetch.FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch.fetch(url)  # a certificate nobody vouched for
    assert fetch.fetch(f"{url}?cafile={imap_server.cafile}").stored == 1


def test_a_missing_folder_is_a_clear_error(db, imap_server):
    with pytest.raises(fetch.FetchError, match="Nowhere"):
        fetch.fetch(imap_server.url("desk", folder="Nowhere"))


def test_a_refused_login_is_a_clear_error(db):
    """On a server of its own: after a failed login Dovecot slows the next ones down for a while."""
    server = Dovecot(users=["desk"])
    server.start()
    try:
        with pytest.raises(fetch.FetchError, match="AUTHENTICATIONFAILED"):
            fetch.fetch(server.url("desk", password="wrong"))
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("url", "settings"),
    [
        ("imap://u:p%40ss@mail.example.com/Support", ("mail.example.com", 143, "plain", "u", "p@ss", "Support")),
        ("imap://u@h?starttls=1", ("h", 143, "starttls", "u", "", "INBOX")),
        ("imaps://u:p@h:1993/", ("h", 1993, "ssl", "u", "p", "INBOX")),
    ],
)
def test_imap_urls(url, settings):
    parsed = fetch.parse_imap_url(url)
    assert (parsed.host, parsed.port, parsed.security, parsed.username, parsed.password, parsed.folder) == settings


@pytest.mark.parametrize("url", ["pop3://u:p@h/", "imap://h/INBOX", "imap://u:p@h:notaport/"])
def test_unusable_imap_urls_are_configuration_errors(url):
    with pytest.raises(ConfigError):
        fetch.parse_imap_url(url)


def test_the_fetch_command(runner, db, imap_server, app):
    imap_server.deliver("desk", compose())
    result = runner.invoke(args=["mail", "fetch"])
    assert result.exit_code == 0 and "1 fetched, 1 new, 1 processed" in result.output
    app.config["IMAP_URL"] = ""
    assert runner.invoke(args=["mail", "fetch"]).exit_code == 1


def test_the_worker_polls_the_mailbox(db, imap_server):
    imap_server.deliver("desk", compose())
    [job] = [job for job in worker.JOBS if job.name == "mail-in"]
    assert worker.run_once([job]) == {"mail-in": "1 fetched, 1 new, 1 processed"}
    assert count(Ticket) == 1
