"""Fixtures for mail: a real SMTP server (aiosmtpd, in-process) that records or refuses what it gets."""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from tests.databases import free_port
from tests.shared.mail.dovecot import Dovecot


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpRecorder:
    """The aiosmtpd handler: keeps every message, or answers with `refuse_rcpt` / `refuse_data`
    (an SMTP reply such as "451 4.3.0 Try again later") when they are set; `delay` makes each
    message take that long, like a real server."""

    received: list[Received] = field(default_factory=list)
    refuse_rcpt: str | None = None
    refuse_data: str | None = None
    delay: float = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        if self.refuse_data:
            return self.refuse_data
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: SmtpRecorder

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages


def start_smtp(handler: object, **kwargs) -> tuple[Controller, int]:
    """A started aiosmtpd Controller on a free port (port 0 does not work: it connects to itself)."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, port


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A recording SMTP server, and the app configured to send through it."""
    handler = SmtpRecorder()
    controller, port = start_smtp(handler)
    server = SmtpServer("127.0.0.1", port, handler)
    app.config["SMTP_URL"] = server.url
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def imap_server(app: Flask, dovecot: Dovecot) -> Dovecot:
    """The IMAP server with the desk's mailbox ("desk") emptied, and the app set to fetch from it."""
    dovecot.empty("desk")
    app.config["IMAP_URL"] = dovecot.url("desk")
    return dovecot
