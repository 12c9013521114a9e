"""The demo's mail catcher: an SMTP server on this machine that keeps every message it receives
as an .eml file under the instance folder (MAIL_CATCHER_DIR) instead of delivering it, and the
reading side the console shows them with.
"""

import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import current_app

from shared.core.clock import utcnow

# Names the catcher writes: a sortable UTC time, then randomness; nothing else is ever read.
_NAME = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{8}\.eml$")


def _folder(folder: Path | str | None) -> Path:
    return Path(folder or current_app.config["MAIL_CATCHER_DIR"])


def save(folder: Path, data: bytes) -> Path:
    """Keep one message; written under a temporary name first, so a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, folder / name)
    return folder / name


class SaveToFolder:
    """The aiosmtpd handler: accept every message and save it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server, session, envelope) -> str:
        save(self.folder, envelope.original_content or envelope.content)
        return "250 Message caught"


def start(host: str, port: int, folder: Path | str | None = None) -> Controller:
    """A running catcher (stop it with `.stop()`)."""
    controller = Controller(SaveToFolder(_folder(folder)), hostname=host, port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class CaughtMessage:
    name: str  # the file name, which `read` takes back
    path: Path
    subject: str
    sender: str
    to: str
    date: datetime | None
    size: int


def _parse_date(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def caught(folder: Path | str | None = None, *, limit: int | None = None) -> list[CaughtMessage]:
    """The caught messages, newest first, with their headers decoded."""
    directory = _folder(folder)
    if not directory.is_dir():
        return []
    names = sorted((p.name for p in directory.iterdir() if _NAME.match(p.name)), reverse=True)[:limit]
    found = []
    for name in names:
        path = directory / name
        with path.open("rb") as f:
            headers = BytesParser(policy=policy.default).parse(f, headersonly=True)
        found.append(
            CaughtMessage(
                name=name,
                path=path,
                subject=str(headers["Subject"] or ""),
                sender=str(headers["From"] or ""),
                to=str(headers["To"] or ""),
                date=_parse_date(headers["Date"]),
                size=path.stat().st_size,
            )
        )
    return found


def read(name: str, folder: Path | str | None = None) -> EmailMessage | None:
    """One caught message, parsed, by the name `caught` gave; None for any other name."""
    path = _folder(folder) / name
    if not _NAME.match(name) or not path.is_file():
        return None
    with path.open("rb") as f:
        return BytesParser(policy=policy.default).parse(f)
