"""What the receiving mail servers said about a message: its spam filter's verdict and DMARC.

The desk does not filter spam itself; the servers in front of it do, and say so in headers:
SpamAssassin writes `X-Spam-Flag: YES` and `X-Spam-Status: Yes, score=…`, rspamd `X-Spam: Yes`,
and the receiving server writes its DMARC result in `Authentication-Results` (RFC 8601). Mail they marked
is held for an agent (`mail.intake`) instead of opening a ticket, being acknowledged or being
posted as its sender. `Authentication-Results` is believed only from the desk's own server, named
by MAIL_TRUSTED_AUTHSERV_ID (that server must remove such headers arriving from outside), as for
agents' mail (`mail.routing.passes_dmarc`); unset, it is not read at all: a header some hop on
the sender's side wrote is no word of the desk's server.
"""

import re

from flask import current_app

from shared.mail.parse import ParsedMail

_COMMENT = re.compile(r"\([^()]*\)")
_DMARC = re.compile(r"(?:^|[\s;])dmarc\s*=\s*([a-z]+)", re.IGNORECASE)


def trusted_authserv_id() -> str:
    return (current_app.config["MAIL_TRUSTED_AUTHSERV_ID"] or "").strip().lower()


def dmarc_result(mail: ParsedMail) -> str | None:
    """The DMARC result ("pass", "fail", "none"…) in the topmost Authentication-Results header
    written by MAIL_TRUSTED_AUTHSERV_ID, "" when that header gives none, None when there is no
    such header or no trusted server is set."""
    trusted = trusted_authserv_id()
    if not trusted:
        return None
    for value in mail.auth_results:
        while _COMMENT.search(value):
            value = _COMMENT.sub(" ", value)
        authserv, _semicolon, results = value.partition(";")
        if authserv.lower().split()[:1] != [trusted]:
            continue
        found = _DMARC.search(results)
        return found.group(1).lower() if found else ""
    return None


def spam_verdict(mail: ParsedMail) -> str | None:
    """Why the receiving servers say this is spam, in their own words (`X-Spam-Flag: YES`), or None."""
    for name, value in mail.spam_flags:
        if value.strip().lower().startswith("yes"):
            return f"{name}: {' '.join(value.split())[:200]}"
    if dmarc_result(mail) == "fail":
        return "Authentication-Results: dmarc=fail"
    return None
