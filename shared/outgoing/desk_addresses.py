"""The desk's own addresses, so its mail never becomes a customer's and it never mails itself.

The desk receives mail at MAIL_FROM, at the mailbox IMAP_URL logs in to (when that login is an
address), at the aliases in MAIL_DESK_ADDRESSES, and at any plus-address of those
(support+billing@…). Mail from them is the desk's own coming back (a loop), never a customer's;
they are never made customers or participants, and the desk sends them nothing. One question for
everyone who needs it: `is_desk_address`.
"""

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from flask import current_app

from shared.mime.headers import mailboxes

_BARE = re.compile(r"[^\s@<>()\[\],;:\\\"]+@[^\s@<>()\[\],;:\\\"]+")


def configured() -> frozenset[str]:
    """The desk's addresses as configured (lower case, without plus tags)."""
    extra = current_app.config.get("MAIL_DESK_ADDRESSES") or []
    if isinstance(extra, str):
        extra = extra.split(",")
    return _read(str(current_app.config.get("MAIL_FROM") or ""), _mailbox_login(), tuple(str(v) for v in extra))


@lru_cache(maxsize=8)
def _read(mail_from: str, login: str, extra: tuple[str, ...]) -> frozenset[str]:
    """Intake asks for every address of every mail: the settings are parsed once per configuration."""
    return frozenset(_base(address) for value in (mail_from, login, *extra) for _name, address in mailboxes(value))


def is_desk_address(value: str | None) -> bool:
    """Whether `value` (an address, or a header value such as `"Support" <Support+x@Desk.Test>`)
    names one of the desk's own addresses, in any case and with any plus tag."""
    if not value or "@" not in value:
        return False
    # A bare address (most callers pass one) needs no header parsing.
    found = [value] if _BARE.fullmatch(value) else [address for _name, address in mailboxes(value)]
    if not found:
        return False
    desk = configured()
    return any(_base(address) in desk for address in found)


def _base(address: str) -> str:
    """The address without its plus tag, in lower case: support+x@desk.test is support@desk.test."""
    local, _at, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}"


def _mailbox_login() -> str:
    """The user IMAP_URL logs in as, when it is an address (most providers' logins are)."""
    url = current_app.config.get("IMAP_URL") or ""
    try:
        user = unquote(urlsplit(url).username or "")
    except ValueError:
        return ""
    return user if "@" in user else ""
