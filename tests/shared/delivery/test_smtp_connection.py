"""DESKBELL_SMTP_URL: its forms, and sending over STARTTLS with a login and over implicit TLS,
against aiosmtpd with a certificate from a throwaway CA made in the test."""

import ssl

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from shared.core.config import ConfigError
from shared.delivery import sending
from shared.models import OutboxMessage
from shared.outgoing import message_ids
from tests.shared.mail.conftest import SmtpRecorder, start_smtp


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("mail.example.com", 25, "plain", None, None)),
        ("smtp://u:p@mail.example.com:2525", ("mail.example.com", 2525, "plain", "u", "p")),
        (
            "smtp://desk%40example.com:p%2Fw@mail.example.com?starttls=1",
            ("mail.example.com", 587, "starttls", "desk@example.com", "p/w"),
        ),
        ("smtp+starttls://mail.example.com:2587", ("mail.example.com", 2587, "starttls", None, None)),
        ("smtps://u:p@mail.example.com", ("mail.example.com", 465, "ssl", "u", "p")),
    ],
)
def test_smtp_url_forms(url, expected):
    s = sending.parse_smtp_url(url)
    assert (s.host, s.port, s.security, s.username, s.password) == expected


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://mail.example.com:notaport", "mail"])
def test_a_bad_smtp_url_is_a_configuration_error(url):
    with pytest.raises(ConfigError, match="SMTP_URL"):
        sending.parse_smtp_url(url)


@pytest.fixture
def app_config():
    return {"SMTP_TIMEOUT_SECONDS": 5}


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server, ca_file


def queue_one(db) -> OutboxMessage:
    message = OutboxMessage(
        to_addr="alice@example.com",
        subject="Over TLS",
        body_text="Hello",
        body_html="",
        headers={},
        message_id=message_ids.random_id(),
        template="test",
    )
    db.session.add(message)
    db.session.commit()
    return message


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"desk@x", b"s3cret")
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


def test_starttls_with_a_login(app, db, certificates):
    server_context, ca_file = certificates
    handler = SmtpRecorder()
    controller, port = start_smtp(
        handler,
        tls_context=server_context,
        require_starttls=True,
        authenticator=check_login,
        auth_required=True,
    )
    try:
        message = queue_one(db)
        app.config["SMTP_URL"] = f"smtp+starttls://desk%40x:wrong@127.0.0.1:{port}?cafile={ca_file}"
        assert sending.deliver_due() == sending.Report(retried=1)  # a refused login is retried
        assert "535" in message.last_error

        app.config["SMTP_URL"] = f"smtp://desk%40x:s3cret@127.0.0.1:{port}?starttls=1&cafile={ca_file}"
        message.next_attempt_at = message.created_at
        db.session.commit()
        assert sending.deliver_due() == sending.Report(sent=1)
        assert [m["Subject"] for m in handler.messages] == ["Over TLS"]
    finally:
        controller.stop()


def test_starttls_refuses_a_certificate_it_cannot_verify(app, db, certificates):
    server_context, _ = certificates
    controller, port = start_smtp(SmtpRecorder(), tls_context=server_context, require_starttls=True)
    try:
        message = queue_one(db)
        app.config["SMTP_URL"] = f"smtp+starttls://127.0.0.1:{port}"  # the throwaway CA is not trusted
        assert sending.deliver_due() == sending.Report(retried=1)
        assert "CERTIFICATE_VERIFY_FAILED" in message.last_error
    finally:
        controller.stop()


def test_implicit_tls(app, db, certificates):
    server_context, ca_file = certificates
    handler = SmtpRecorder()
    controller, port = start_smtp(handler, ssl_context=server_context)
    try:
        queue_one(db)
        app.config["SMTP_URL"] = f"smtps://127.0.0.1:{port}?cafile={ca_file}"
        assert sending.deliver_due() == sending.Report(sent=1)
        assert [m["Subject"] for m in handler.messages] == ["Over TLS"]
    finally:
        controller.stop()
