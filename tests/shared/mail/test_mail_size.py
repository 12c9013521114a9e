"""Slimming a message before parsing (shared/mail/size.py) changes nothing the desk reads of it but
the files over the limit: checked on every message the tests write (and the public corpus, when it
is beside the repository), with slimming forced on for small messages too."""

import dataclasses
import os
from pathlib import Path

import pytest

from shared.core.config import PROJECT_ROOT
from shared.mail import parse
from shared.mail import size as mail_size

OWN = sorted((PROJECT_ROOT / "tests" / "shared" / "mail" / "messages").rglob("*.eml"))
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "mail-corpus" / "public"
CORPUS = sorted(CORPUS_DIR.rglob("*.eml"))
if not CORPUS and os.environ.get("DESKBELL_REQUIRE_MAIL_CORPUS"):
    raise RuntimeError(f"The mail corpus is missing: expected it at {CORPUS_DIR}.")
# Without the corpus (a fresh clone) the project's own messages still run; the corpus's part says
# why it did not.
ABSENT = pytest.param(
    None, id="corpus", marks=pytest.mark.skip(reason=f"the public mail corpus is not at {CORPUS_DIR}")
)
MESSAGES = [pytest.param(path, id=str(path.relative_to(path.parents[1]))) for path in [*OWN, *CORPUS]]
MESSAGES += [] if CORPUS else [ABSENT]


@pytest.fixture(autouse=True)
def slim_everything(monkeypatch):
    monkeypatch.setattr(mail_size, "_SLIM_FROM", 0)
    monkeypatch.setattr(mail_size, "_LIFT_FROM", 0)


def read(parsed: parse.ParsedMail) -> dict:
    found = dataclasses.asdict(parsed)
    del found["defects"], found["refused"]
    return found


def parse_or_refuse(raw: bytes, slimmed: mail_size.Slimmed | None = None) -> parse.ParsedMail | str:
    """The parsed message, or "too deep" for one the parser refuses (it is quarantined either way)."""
    try:
        parsed = parse.parse(raw)
    except parse.NestedTooDeep:
        return "too deep"
    return mail_size.restore(parsed, slimmed) if slimmed is not None else parsed


@pytest.mark.parametrize("path", MESSAGES)
def test_under_the_limit_the_slimmed_message_reads_the_same(path: Path):
    raw = path.read_bytes()
    slimmed = mail_size.slim(raw, 10**9)
    assert not slimmed.refused
    whole, slim = parse_or_refuse(raw), parse_or_refuse(slimmed.raw, slimmed)
    if whole == "too deep":
        assert slim == "too deep"
        return
    assert read(slim) == read(whole)


@pytest.mark.parametrize("path", MESSAGES)
def test_over_the_limit_only_big_files_are_left_out(path: Path):
    raw = path.read_bytes()
    limit = 2000
    slimmed = mail_size.slim(raw, limit)
    whole, slim = parse_or_refuse(raw), parse_or_refuse(slimmed.raw, slimmed)
    if whole == "too deep":  # nothing read to compare with (slimming may have taken the deep parts)
        return
    read_whole = (whole.text, whole.html, whole.subject, whole.from_addr, whole.reported_ids)
    assert (slim.text, slim.html, slim.subject, slim.from_addr, slim.reported_ids) == read_whole
    # What was left out was a file over the limit; every other file is there, byte for byte.
    big = {f.filename for f in whole.all_files if len(f.data) > limit}
    assert {name for name, _size in slim.refused} <= big
    assert all(size > limit for _name, size in slim.refused)
    kept = [(f.filename, f.data) for f in slim.attachments]
    assert kept == [(f.filename, f.data) for f in whole.attachments if f.filename not in dict(slim.refused)]


def test_a_file_is_measured_without_decoding_it():
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nHello\r\n--b\r\nContent-Type: application/pdf; name=x.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b"QUFB\r\n" * 1000 + b"QQ==\r\n--b--\r\n"
    )
    slimmed = mail_size.slim(raw, 2000)
    assert slimmed.refused == [mail_size.RefusedFile("x.pdf", 3001)]
    assert b"QUFB" not in slimmed.raw and parse.parse(slimmed.raw).text == "Hello"
