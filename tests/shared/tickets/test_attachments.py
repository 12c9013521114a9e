"""Attachments: content-addressed storage, the size limit, names, sniffed types and serving."""

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Attachment, Entry, Ticket
from shared.tickets import attachments, conversation
from shared.tickets.attachments import Upload

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
GIF87 = b"GIF87a\x01\x00\x01\x00" + b"\x00" * 16
GIF89 = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def app_config() -> dict:
    return {"MAX_ATTACHMENT_MB": 1, "MAX_ATTACHMENTS_PER_MESSAGE": 3}


def store_dir(app: Flask) -> Path:
    return Path(app.config["ATTACHMENTS_DIR"])


def stored_files(app: Flask) -> list[Path]:
    root = store_dir(app)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attach(customer, make_ticket, *uploads: Upload) -> list[Attachment]:
    ticket = make_ticket(customer, uploads=list(uploads))
    return ticket.entries[0].attachments


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# Storage ---------------------------------------------------------------------------------


def test_files_are_stored_under_their_sha256_in_the_instance(app, customer, make_ticket):
    data = b"%PDF-1.7 quarterly report"
    [attachment] = attach(customer, make_ticket, Upload("report.pdf", data))
    digest = hashlib.sha256(data).hexdigest()

    assert (attachment.filename, attachment.size, attachment.sha256) == ("report.pdf", len(data), digest)
    assert store_dir(app) == Path(app.instance_path) / "attachments"
    assert stored_files(app) == [store_dir(app) / digest[:2] / digest[2:4] / digest]
    assert attachments.blob_path(digest).read_bytes() == data


def test_the_same_bytes_are_stored_once(app, customer, agent, make_ticket):
    data = b"the same screenshot"
    first = make_ticket(customer, uploads=[Upload("a.txt", data), Upload("b.txt", data)])
    conversation.add_internal_note(first, actor=agent, body="Same file again.", uploads=[Upload("c.txt", data)])
    second = make_ticket(customer, uploads=[Upload("d.txt", data), Upload("other.txt", b"different")])

    rows = [a for t in (first, second) for e in t.entries for a in e.attachments]
    assert [a.filename for a in rows] == ["a.txt", "b.txt", "c.txt", "d.txt", "other.txt"]
    assert len({a.sha256 for a in rows}) == 2
    assert [p.name for p in stored_files(app)] == sorted(
        [hashlib.sha256(data).hexdigest(), hashlib.sha256(b"different").hexdigest()]
    )


def test_a_message_may_be_files_only(customer, make_ticket):
    ticket = make_ticket(customer)

    entry = conversation.post_reply(ticket, actor=customer, body="  ", uploads=[Upload("log.txt", b"E42")])

    assert entry.body == ""
    assert [a.filename for a in entry.attachments] == ["log.txt"]


# The size limit --------------------------------------------------------------------------


def test_a_file_at_the_limit_is_accepted(app, customer, make_ticket):
    [attachment] = attach(customer, make_ticket, Upload("big.bin", b"x" * MB))

    assert attachment.size == MB
    assert len(stored_files(app)) == 1


def too_big() -> list[Upload]:
    """One file just over the 1 MB limit, between two that would fit."""
    return [Upload("small.txt", b"fits"), Upload("huge.bin", b"x" * (MB + 1)), Upload("tiny.png", PNG)]


def too_many() -> list[Upload]:
    return [Upload(f"{n}.txt", f"file {n}".encode()) for n in range(4)]


@pytest.mark.parametrize("uploads", [too_big, too_many])
@pytest.mark.parametrize("verb", ["open", "reply", "agent reply", "note"])
def test_refused_files_store_nothing(app, customer, agent, department, make_ticket, db, verb, uploads):
    ticket = make_ticket(customer)
    before = (count(Ticket), count(Entry), count(Attachment))

    with pytest.raises(DomainError) as error:
        if verb == "open":
            conversation.open_ticket(
                actor=customer, customer=customer, subject="Logs", body="See.", department=department, uploads=uploads()
            )
        elif verb == "note":
            conversation.add_internal_note(ticket, actor=agent, body="See.", uploads=uploads())
        else:
            conversation.post_reply(
                ticket, actor=agent if verb == "agent reply" else customer, body="See.", uploads=uploads()
            )
    db.session.rollback()

    assert error.value.field == "attachments"
    if uploads is too_big:
        assert "huge.bin" in error.value.message
    assert (count(Ticket), count(Entry), count(Attachment)) == before
    assert stored_files(app) == []
    assert ticket.status.key == "new"


# Names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("report.pdf", "report.pdf"),
        ("résumé final (2).pdf", "résumé final (2).pdf"),
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("a\x00b\r\nc\x1b[31m.txt", "abc[31m.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        (".htaccess", "htaccess"),
        ("..", "attachment"),
        ("uploads/", "attachment"),
        ("", "attachment"),
        ("x" * 300 + ".txt", "x" * 255),
    ],
)
def test_the_original_name_is_shown_but_never_used_as_a_path(app, tmp_path, customer, make_ticket, given, shown):
    data = f"contents of {given!r}".encode()
    [attachment] = attach(customer, make_ticket, Upload(given, data))
    digest = hashlib.sha256(data).hexdigest()

    assert attachment.filename == shown
    assert stored_files(app) == [attachments.blob_path(digest)]
    assert attachments.blob_path(digest).read_bytes() == data
    # Nothing landed anywhere else under the test's folder, whatever the name said.
    elsewhere = {p.name for p in tmp_path.rglob("*") if p.is_file() and store_dir(app) not in p.parents}
    assert elsewhere <= {"deskbell.sqlite", "deskbell.sqlite-journal", "deskbell.sqlite-wal", "deskbell.sqlite-shm"}


@pytest.mark.parametrize("digest", ["../../etc/passwd", "ab" * 31 + "/x", "A" * 64, "a" * 63, ""])
def test_blob_paths_come_only_from_digests(app, digest):
    with pytest.raises(ValueError):
        attachments.blob_path(digest)


# Sniffed types ---------------------------------------------------------------------------

SNIFFED = [
    ("photo.png", PNG, "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("old.gif", GIF87, "image/gif"),
    ("anim.gif", GIF89, "image/gif"),
    ("pic.webp", WEBP, "image/webp"),
    ("photo.png", HTML, "application/octet-stream"),
    ("page.html", HTML, "application/octet-stream"),
    ("logo.svg", SVG, "application/octet-stream"),
    ("logo.png", SVG, "application/octet-stream"),
    ("sound.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16, "application/octet-stream"),
    ("short.png", b"\x89PNG", "application/octet-stream"),
    ("doc.pdf", b"%PDF-1.7", "application/octet-stream"),
    ("empty.png", b"", "application/octet-stream"),
]


@pytest.mark.parametrize(("name", "data", "expected"), SNIFFED, ids=[f"{n}-{t}" for n, _, t in SNIFFED])
def test_the_type_comes_from_the_bytes_not_the_name(customer, make_ticket, name, data, expected):
    [attachment] = attach(customer, make_ticket, Upload(name, data))

    assert attachment.content_type == expected
    assert attachment.is_inline_image == expected.startswith("image/")


# Serving ---------------------------------------------------------------------------------


def served(app: Flask, attachment: Attachment, *, inline: bool) -> tuple[dict, bytes]:
    with app.test_request_context("/"):
        response = attachments.serve(attachment, inline=inline)
        response.direct_passthrough = False
        try:
            return dict(response.headers), response.get_data()
        finally:
            response.close()


@pytest.mark.parametrize(("name", "data", "expected"), SNIFFED, ids=[f"{n}-{t}" for n, _, t in SNIFFED])
def test_files_download_with_nosniff(app, customer, make_ticket, name, data, expected):
    [attachment] = attach(customer, make_ticket, Upload(name, data))

    headers, body = served(app, attachment, inline=False)

    assert body == data
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]


@pytest.mark.parametrize(("name", "data", "expected"), SNIFFED, ids=[f"{n}-{t}" for n, _, t in SNIFFED])
def test_only_raster_images_are_shown_inline(app, customer, make_ticket, name, data, expected):
    [attachment] = attach(customer, make_ticket, Upload(name, data))

    headers, body = served(app, attachment, inline=True)

    assert body == data
    assert headers["X-Content-Type-Options"] == "nosniff"
    if expected in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        assert headers["Content-Type"] == expected
        assert headers["Content-Disposition"].startswith("inline;")
    else:
        assert headers["Content-Type"] == "application/octet-stream"
        assert headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("given", "header"),
    [
        ("../../etc/passwd", "attachment; filename=passwd"),
        ("résumé.pdf", "attachment; filename=resume.pdf; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        ("evil\r\nSet-Cookie: x=1.txt", 'attachment; filename="evilSet-Cookie: x=1.txt"'),
    ],
)
def test_the_download_name_is_the_cleaned_name(app, customer, make_ticket, given, header):
    [attachment] = attach(customer, make_ticket, Upload(given, b"data"))

    headers, _ = served(app, attachment, inline=False)

    assert headers["Content-Disposition"] == header
    assert "Set-Cookie" not in headers
