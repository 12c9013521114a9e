"""All the text is the body (issue 15, point 6): the messages under tests/shared/mail/messages/parts,
written here byte for byte, go through `flask mail ingest`; their text parts, however the client
arranged them, are the body in order, and never files of their own (`text.txt`, `text.html`)."""

import pytest

from shared.models import InboundState
from shared.tickets import attachments
from tests.shared.mail.eml import ingest_file


def _names(entry) -> list[str]:
    return sorted(a.filename for a in entry.attachments)


def test_apple_mail_text_between_attachments_is_one_body_in_order(runner, db):
    entry = ingest_file(runner, "parts/apple_mail_text_between_attachments.eml").entry
    assert entry.body == "Here is the front of the screen:\n\nAnd the receipt – bought in May:\n\nThanks,\nAnna"
    assert _names(entry) == ["front.png", "original.eml", "receipt.pdf"]
    pdf = next(a for a in entry.attachments if a.filename == "receipt.pdf")
    assert attachments.blob_path(pdf.sha256).read_bytes() == b"%PDF-1.4 receipt"


def test_apple_mail_html_between_attachments_leaves_no_html_file(runner, db):
    entry = ingest_file(runner, "parts/apple_mail_html_between_attachments.eml").entry
    assert entry.body == "Please sign page 2:\n\nAnd return it by Friday."
    assert _names(entry) == ["contract.pdf", "original.eml"]


@pytest.mark.parametrize(
    ("name", "body", "files"),
    [
        ("parts/outlook_empty_plain_beside_html.eml", "The VPN drops every ten minutes.\n\nLars", ["original.eml"]),
        ("parts/mixed_empty_plain_and_html.eml", "The printer jams on page two.", ["log.pdf", "original.eml"]),
    ],
)
def test_an_empty_plain_part_takes_its_text_from_the_html(runner, db, name, body, files):
    entry = ingest_file(runner, name).entry
    assert entry.body == body and _names(entry) == files


def test_text_outside_the_parts_of_a_broken_message_is_kept(runner, db):
    """Text before the first boundary and after the last one: the mailer's text, not MIME's."""
    entry = ingest_file(runner, "parts/text_in_preamble_and_epilogue.eml").entry
    assert entry.body == (
        "Hello, the order form is attached.\nPlease call me back on 555-0101.\n\nRegards from the shipping office."
    )
    assert _names(entry) == ["order.pdf", "original.eml"]


def test_the_mime_notice_before_the_first_part_is_not_text(runner, db):
    entry = ingest_file(runner, "parts/mime_notice_preamble.eml").entry
    assert entry.body == "The real text." and _names(entry) == ["notes.txt", "original.eml"]


def test_a_multipart_using_another_boundary_than_declared_is_read_with_the_one_it_uses(runner, db):
    entry = ingest_file(runner, "parts/boundary_not_the_declared_one.eml").entry
    assert entry.body == "The scanned form is attached." and _names(entry) == ["form.png", "original.eml"]


def test_a_multipart_without_a_boundary_is_text(runner, db):
    inbound = ingest_file(runner, "parts/multipart_without_boundary.eml")
    assert inbound.state == InboundState.PROCESSED
    assert inbound.entry.body == "Name: Kim\nMessage: the login page shows a blank screen."
    assert _names(inbound.entry) == ["original.eml"]
