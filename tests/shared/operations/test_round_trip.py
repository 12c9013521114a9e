"""`backup create` then `backup restore` into an empty desk gives the same desk: every table row by
row, every stored file byte by byte, config.py; and a backup taken while the desk writes is whole."""

import json
import stat
import tarfile
import threading

from sqlalchemy import func, select

from shared.core.extensions import db
from shared.models import Attachment, Customer, Department, InboundMessage, Ticket
from shared.operations.manifest import file_digest
from shared.queues import counters
from shared.tickets import conversation
from shared.tickets.attachments import Upload
from tests.shared.operations.desks import counts, empty_desk, files, invoke, seed_desk, tables


def test_a_restored_desk_is_the_backed_up_desk(app, runner, databases, tmp_path):
    seed_desk(runner)
    archive = tmp_path / "desk.tar.gz"
    created = runner.invoke(args=["backup", "create", str(archive)])
    assert created.exit_code == 0, created.output
    assert "backup: complete" in created.stderr and created.stdout.strip() == str(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the secret key
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []

    with tarfile.open(archive) as t:
        manifest = json.load(t.extractfile("manifest.json"))
    assert manifest["database"] == app.config["DATABASE_URL"].split("+")[0].split(":")[0]
    assert manifest["secret_key_included"] is True and "SECRET_KEY" in manifest["note"]
    assert manifest["tables"] == counts(app) and manifest["migration"]
    raw_mail = db.session.scalars(select(InboundMessage.sha256)).all()
    stored = [*db.session.scalars(select(Attachment.sha256)), *raw_mail]
    assert len(raw_mail) == 2 and {f"attachments/{s[:2]}/{s[2:4]}/{s}" for s in stored} <= set(manifest["files"])

    with empty_desk(databases, tmp_path / "target") as target:
        restored = invoke(target, "backup", "restore", str(archive))
        assert restored.exit_code == 0, restored.output
        assert tables(target) == tables(app)
        assert files(target) == files(app) and files(app)
        restored_files = [p for p in (tmp_path / "target" / "attachments").rglob("*") if p.is_file()]
        assert {stat.S_IMODE(p.stat().st_mode) for p in restored_files} == {0o600}  # as the desk stores them
        config = tmp_path / "target" / "config.py"
        assert config.read_bytes() == (tmp_path / "instance" / "config.py").read_bytes()
        assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_a_backup_taken_while_the_desk_writes_is_consistent(app, runner, databases, tmp_path, customer, department):
    seed_desk(runner, tickets=4)
    stop, written, failures = threading.Event(), [], []
    customer_id, department_id = customer.id, department.id

    def write_tickets() -> None:
        with app.app_context():
            try:
                customer, department = db.session.get(Customer, customer_id), db.session.get(Department, department_id)
                while not stop.is_set():
                    n = len(written)
                    conversation.open_ticket(
                        actor=customer,
                        customer=customer,
                        department=department,
                        subject=f"Written during the backup {n}",
                        body="Still writing.",
                        uploads=[Upload(f"log-{n}.txt", f"log file {n}\n".encode() * 50)],
                    )
                    db.session.commit()
                    written.append(n)
            except Exception as exc:  # reported by the test below
                failures.append(exc)
            finally:
                db.session.remove()

    writer = threading.Thread(target=write_tickets)
    writer.start()
    try:
        while len(written) < 3 and writer.is_alive():
            stop.wait(0.01)
        before = len(written)
        result = runner.invoke(args=["backup", "create", str(tmp_path / "live.tar")])
        during = len(written) - before
    finally:
        stop.set()
        writer.join()
    assert failures == [] and result.exit_code == 0, result.output
    assert during > 0, "the writer kept committing while the backup ran"

    with empty_desk(databases, tmp_path / "target") as target:
        restored = invoke(target, "backup", "restore", str(tmp_path / "live.tar"))
        assert restored.exit_code == 0, restored.output  # the restored row counts are the manifest's
        source, copy = tables(app), tables(target)
        # A moment of the desk: the copy's tickets are all the source had up to its newest one.
        ticket_ids = {row[0] for row in copy["tickets"]}
        assert ticket_ids == {row[0] for row in source["tickets"] if row[0] <= max(ticket_ids)}
        assert before + 4 <= len(ticket_ids) < len(source["tickets"])
        with target.app_context():
            # Every file a restored row names is there with its bytes, and the counters agree with the tickets.
            for sha256 in db.session.scalars(select(Attachment.sha256)):
                path = tmp_path / "target" / "attachments" / sha256[:2] / sha256[2:4] / sha256
                assert file_digest(path)[0] == sha256
            assert counters.rebuild(db.session.connection()) == []
            assert db.session.scalar(select(func.count(Ticket.id))) == len(ticket_ids)
            db.session.remove()
            db.engine.dispose()
