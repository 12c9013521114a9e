"""Every byte decoded (issue 15, point 7): the messages under tests/shared/mail/messages/decoding, written
here byte for byte, go through `flask mail ingest` and read as their writers meant them, on SQLite
and PostgreSQL (`DESKBELL_TEST_DB=postgresql`) alike."""

import pytest

from shared.mail import intake
from shared.mime import charsets
from shared.models import InboundState
from shared.tickets import attachments
from tests.shared.mail.eml import ingest_file


def _files(entry) -> dict[str, bytes]:
    return {a.filename: attachments.blob_path(a.sha256).read_bytes() for a in entry.attachments}


def test_one_invalid_byte_spoils_one_character_not_the_whole_body(runner, db):
    entry = ingest_file(runner, "decoding/utf8_one_bad_byte.eml").entry
    assert entry.body == "Здравствуйте!\nПринт\ufffdер в бухгалтерии не печатает.\nСпасибо, Иван"


def test_a_windows_1251_body_labelled_utf8_is_read_as_what_it_is(runner, db):
    entry = ingest_file(runner, "decoding/cp1251_labelled_utf8.eml").entry
    assert entry.body == "Здравствуйте!\nПринтер в бухгалтерии не печатает.\nСпасибо, Иван"


@pytest.mark.parametrize(
    ("name", "subject", "sender", "body"),
    [
        (
            "decoding/raw_headers_cp1251.eml",
            "Счёт за октябрь не пришёл",
            "Иван Петров",
            "Добрый день, пришлите счёт ещё раз.",
        ),
        (
            "decoding/raw_headers_koi8r.eml",
            "Принтер горит, помогите",
            "Пётр Сидоров",
            "Здравствуйте, принтер горит, нужна помощь срочно.",
        ),
        (
            "decoding/raw_headers_latin1.eml",
            "Spørsmål om fakturaen for måneden",
            "Jørgen Ødegård",
            "Hei, jeg har et spørsmål om fakturaen.",
        ),
    ],
)
def test_raw_8bit_headers_are_detected_not_guessed(runner, db, name, subject, sender, body):
    """No RFC 2047: the Subject and the sender's name are bytes in the writer's code page (the
    koi8-r message does not even declare its body's)."""
    inbound = ingest_file(runner, name)
    assert inbound.state == InboundState.PROCESSED
    assert (inbound.subject, inbound.ticket.subject) == (subject, subject)
    assert inbound.ticket.customer.name == sender and inbound.entry.body == body


def test_a_raw_8bit_file_name_is_detected(runner, db):
    entry = ingest_file(runner, "decoding/raw_attachment_name_cp1251.eml").entry
    assert _files(entry)["Счёт за октябрь.pdf"] == b"%PDF-1.4 invoice"
    assert entry.body == "Скан во вложении."


def test_iso_2022_jp_keeps_the_vendor_characters(runner, db):
    """Circled digits, ㈱ (NEC row 13) and the IBM kanji 髙 and 﨑, as Windows and Japanese clients write them."""
    inbound = ingest_file(runner, "decoding/iso2022jp_vendor_characters.eml")
    assert inbound.ticket.subject == "①番の件：髙橋様の請求書"
    assert inbound.ticket.customer.name == "髙橋 一郎"
    assert inbound.entry.body == "髙橋様\n①請求書を送ります。\n②㈱サンプル商事\n﨑本"


def test_latin1_labelled_text_keeps_windows_1252_punctuation(runner, db):
    """Text labelled ISO-8859-1 is read as Windows-1252, as browsers do: curly quotes, dashes, €."""
    inbound = ingest_file(runner, "decoding/latin1_with_windows_punctuation.eml")
    assert inbound.ticket.subject == "“Urgent” – facture à 80 €"
    assert inbound.ticket.customer.name == "Renée “RJ” Dubois"
    assert inbound.entry.body == "L’imprimante “brûle” – merci… Total : 80 €"


def test_nul_bytes_never_reach_the_database(runner, db):
    """PostgreSQL refuses NUL in text: the subject, body, sender's name and file names lose it,
    the original keeps it."""
    inbound = ingest_file(runner, "decoding/nul_bytes.eml")
    assert inbound.state == InboundState.PROCESSED
    assert inbound.subject == inbound.ticket.subject == "Null in subject"
    assert inbound.ticket.customer.name == "Nul Person"
    assert inbound.entry.body == "Body with a NUL byte\nand a second line.\n\nUTF-16 text"
    assert _files(inbound.entry)["report.bin"] == b"data"
    assert b"\x00" in intake.raw_bytes(inbound)


@pytest.mark.parametrize(
    ("name", "files"),
    [
        (
            "decoding/outlook_winmail_cp1251_names.eml",
            {"Счёт за октябрь.xlsx": b"PK xlsx", "Акт сверки.pdf": b"%PDF act"},
        ),
        ("decoding/outlook_winmail_cp1252_names.eml", {"Årsrapport ønsket.xlsx": b"PK no"}),
    ],
)
def test_winmail_dat_with_8bit_names_is_unpacked_with_the_names_right(runner, db, name, files):
    inbound = ingest_file(runner, name)
    assert inbound.state == InboundState.PROCESSED
    found = _files(inbound.entry)
    assert {k: found[k] for k in files} == files and "winmail.dat" in found


# The decoder on its own: the cases mail brings that a whole message would hide.


def test_detection_reads_only_a_bounded_sample():
    """A huge undeclared body costs no more to detect than DETECT_BYTES of it."""
    text = "Привет, как дела? " * 20000
    data = text.encode("cp1251")
    assert len(data) > 10 * charsets.DETECT_BYTES
    assert charsets.decode(data) == text


def test_valid_utf8_in_a_latin1_label_is_utf8():
    assert charsets.decode("Grüße aus Köln".encode(), "iso-8859-1") == "Grüße aus Köln"


def test_an_unknown_label_falls_back_to_what_the_bytes_are():
    assert charsets.decode("Привет".encode("koi8-r"), "x-unknown-charset") == "Привет"


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Café", "cp1252"),
        ("Ærlig talt", "cp1252"),
        ("Søknad", "cp1252"),
        ("Fraværende", "cp1252"),
        ("Łukasz Żółw", "cp1250"),
        ("Юля", "cp1251"),
        ("Юля", "koi8_r"),
        ("Привіт, як справи?", "cp1251"),
        ("Звіт", "koi8_u"),
        ("Акт сверки.pdf", "cp1251"),
        ("Пётр Сидоров", "koi8_r"),
        ("プリンターが燃えています", "euc_jp"),
    ],
)
def test_short_undeclared_text_is_detected_in_the_charset_it_was_written_in(text, charset):
    """A name or a subject is a few words: too few for a detector's statistics alone, so readings no
    one writes (two scripts in one word, a capital after a small letter, a stray mark) lose."""
    assert charsets.decode(text.encode(charset)) == text
