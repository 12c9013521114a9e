"""Fetching mail from an IMAP mailbox (DESKBELL_IMAP_URL), for `flask mail fetch` and the worker.

URL forms, like SMTP_URL's: `imap://user:pass@host:port/FOLDER` (plain; add `?starttls=1` to
require STARTTLS), `imap+starttls://…` (port 143) and `imaps://…` (TLS from the first byte, port
993); the folder defaults to INBOX; `?cafile=PATH` trusts a private certificate authority.

Each message is stored and committed (`mail.intake.receive`) before the mailbox is told anything
about it; only then is it marked \\Seen, deleted or moved (IMAP_AFTER_FETCH). A crash in between
fetches it again next time, and the duplicate is recognised, so nothing is lost or doubled.
"""

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass

from flask import current_app

from shared.core.config import ConfigError
from shared.delivery import servers
from shared.mail import intake

log = logging.getLogger("deskbell.mail")

DEFAULT_PORTS = {"plain": 143, "starttls": 143, "ssl": 993}


class FetchError(RuntimeError):
    """The mailbox could not be read (unreachable, refused the login, no such folder)."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # "plain", "starttls" or "ssl"
    username: str
    password: str
    folder: str = "INBOX"
    cafile: str | None = None


@dataclass(frozen=True)
class FetchResult:
    fetched: int  # messages read from the mailbox
    stored: int  # of those, new to the desk (the rest were duplicates)
    processed: int  # pending messages processed afterwards (these and any left from before)

    def __str__(self) -> str:
        return f"{self.fetched} fetched, {self.stored} new, {self.processed} processed"


def parse_imap_url(url: str) -> ImapSettings:
    """The mailbox to read; a URL the desk cannot use is a configuration error."""
    server = servers.parse(url, setting="IMAP_URL", protocol="imap", default_ports=DEFAULT_PORTS)
    if not server.username:
        raise ConfigError("IMAP_URL needs a user and a host: imap://user:password@host/INBOX")
    return ImapSettings(
        host=server.host,
        port=server.port,
        security=server.security,
        username=server.username,
        password=server.password or "",
        folder=server.path or "INBOX",
        cafile=server.cafile,
    )


def _after_fetch() -> tuple[str, str | None]:
    """("seen" | "delete" | "move", folder to move to)."""
    setting = str(current_app.config["IMAP_AFTER_FETCH"]).strip()
    action, _, folder = setting.partition(":")
    if action not in ("seen", "delete", "move") or (action == "move") != bool(folder.strip()):
        raise ConfigError(f'IMAP_AFTER_FETCH must be "seen", "delete" or "move:FOLDER", not {setting!r}')
    return action, folder.strip() or None


def connect(settings: ImapSettings) -> imaplib.IMAP4:
    """A logged-in connection with the folder selected; certificates are always verified."""
    timeout = float(current_app.config["IMAP_TIMEOUT_SECONDS"])
    context = ssl.create_default_context(cafile=settings.cafile)
    try:
        if settings.security == "ssl":
            imap = imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=context, timeout=timeout)
        else:
            imap = imaplib.IMAP4(settings.host, settings.port, timeout=timeout)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise FetchError(f"IMAP {settings.host}:{settings.port}: {exc}") from exc
    try:
        if settings.security == "starttls":
            imap.starttls(ssl_context=context)
        imap.login(settings.username, settings.password)
        status, detail = imap.select(_quoted(settings.folder))
        if status != "OK":
            raise FetchError(f"cannot open folder {settings.folder!r}: {_text(detail)}")
    except (OSError, imaplib.IMAP4.error) as exc:
        with contextlib.suppress(OSError):  # a failed TLS handshake has closed it already
            imap.shutdown()
        raise FetchError(f"IMAP {settings.host}:{settings.port}: {exc}") from exc
    except FetchError:
        _logout(imap)
        raise
    return imap


def fetch(url: str | None = None) -> FetchResult:
    """Store every waiting message of the mailbox, tell the mailbox, then process what is pending."""
    settings = parse_imap_url(url or current_app.config["IMAP_URL"])
    action, target = _after_fetch()
    imap = connect(settings)
    fetched = stored = 0
    try:
        for uid in _waiting(imap, action):
            raw = _read(imap, uid)
            if raw is None:
                continue  # gone meanwhile (another fetcher moved it)
            fetched += 1
            try:
                _inbound, new = intake.receive(raw, source="imap")
                stored += new
            except intake.EmptyMessage:
                log.warning("IMAP message %s is empty; marking it as done", uid.decode())
            _done(imap, uid, action, target)
        if action != "seen":
            imap.expunge()
    except imaplib.IMAP4.error as exc:
        raise FetchError(f"IMAP {settings.host}:{settings.port}: {exc}") from exc
    finally:
        _logout(imap)
    return FetchResult(fetched, stored, intake.process_pending())


def poll() -> str:
    """The worker's job: fetch when a mailbox is configured, then process anything pending (also
    what an MTA piped in and left unprocessed)."""
    if current_app.config["IMAP_URL"]:
        return str(fetch())
    return f"{intake.process_pending()} processed"


def _waiting(imap: imaplib.IMAP4, action: str) -> list[bytes]:
    # "seen" leaves handled mail in the folder, so only unseen mail is new; otherwise it is gone.
    criteria = "UNSEEN UNDELETED" if action == "seen" else "UNDELETED"
    status, data = imap.uid("SEARCH", None, criteria)
    if status != "OK":
        raise FetchError(f"IMAP search failed: {_text(data)}")
    return data[0].split() if data and data[0] else []


def _read(imap: imaplib.IMAP4, uid: bytes) -> bytes | None:
    """The whole message, without setting \\Seen (that waits until it is stored)."""
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise FetchError(f"IMAP fetch of {uid.decode()} failed: {_text(data)}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _done(imap: imaplib.IMAP4, uid: bytes, action: str, target: str | None) -> None:
    if action == "seen":
        imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
        return
    if action == "move":
        if "MOVE" in imap.capabilities:
            status, data = imap.uid("MOVE", uid, _quoted(target))
            if status != "OK":
                raise FetchError(f"IMAP move to {target!r} failed: {_text(data)}")
            return
        status, data = imap.uid("COPY", uid, _quoted(target))
        if status != "OK":
            raise FetchError(f"IMAP copy to {target!r} failed: {_text(data)}")
    imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted \Seen)")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: object) -> str:
    if isinstance(data, list | tuple):
        return " ".join(_text(item) for item in data)
    return data.decode(errors="replace") if isinstance(data, bytes) else str(data)


def _logout(imap: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        imap.logout()
