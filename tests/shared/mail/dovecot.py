"""A real IMAP server for the tests: Debian's Dovecot with a complete config of its own (nothing
from /etc/dovecot), listening on 127.0.0.1 on a free port, with one mailbox per test user."""

import imaplib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import trustme

from tests.databases import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
PASSWORD = "imap-secret"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=vmail gid=vmail home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class Dovecot:
    """Started with `start()`, stopped with `stop()`; `users` may log in with PASSWORD."""

    def __init__(self, users: list[str]) -> None:
        if not Path(DOVECOT).exists():
            raise RuntimeError("Dovecot is not installed: run `make test-deps` (it installs dovecot-imapd).")
        # Under /tmp itself: the mail user must be able to reach its mailboxes, and pytest's
        # temporary folders are private to root.
        self.root = Path(tempfile.mkdtemp(prefix="deskbell-dovecot-"))
        self.root.chmod(0o755)
        self.port, self.tls_port = free_port(), free_port()
        self.users = users
        # A certificate for 127.0.0.1 from a throwaway authority (trustme): STARTTLS and imaps work.
        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1")
        certificate.cert_chain_pems[0].write_to_path(str(self.root / "cert.pem"))
        certificate.private_key_pem.write_to_path(str(self.root / "key.pem"))
        self.cafile = self.root / "ca.pem"
        authority.cert_pem.write_to_path(str(self.cafile))
        self.conf = self.root / "dovecot.conf"
        self.conf.write_text(CONFIG.format(root=self.root, port=self.port, tls_port=self.tls_port))
        (self.root / "users").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}\n" for u in users))
        (self.root / "home").mkdir()
        shutil.chown(self.root / "home", "vmail", "vmail")

    def start(self) -> None:
        """Start and wait until it listens. free_port() cannot reserve a port, so another process may
        take it meanwhile: then try again on fresh ports, and say what Dovecot logged if it never starts."""
        for _attempt in range(3):
            # In the foreground, as our child: stopping it is a signal and a wait, with nothing left behind.
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            if self._listening():
                return
            self.process.kill()
            self.process.wait()
            self.port, self.tls_port = free_port(), free_port()
            self.conf.write_text(CONFIG.format(root=self.root, port=self.port, tls_port=self.tls_port))
        log = self.root / "dovecot.log"
        said = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
        shutil.rmtree(self.root, ignore_errors=True)
        raise RuntimeError(f"Dovecot did not start:\n{said}")

    def _listening(self) -> bool:
        deadline = time.monotonic() + 10
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def doveadm(self, *args: str, data: bytes | None = None) -> str:
        result = subprocess.run([DOVEADM, "-c", self.conf, *args], input=data, capture_output=True, check=True)
        return result.stdout.decode()

    def url(self, user: str, folder: str = "INBOX", *, password: str = PASSWORD, scheme: str = "imap") -> str:
        port = self.tls_port if scheme == "imaps" else self.port
        return f"{scheme}://{user}:{password}@127.0.0.1:{port}/{folder}"

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox server-side, as the MTA's delivery would."""
        self.doveadm("save", "-u", user, "-m", folder, data=raw)

    def create_folder(self, user: str, folder: str) -> None:
        self.doveadm("mailbox", "create", "-u", user, folder)

    def empty(self, user: str) -> None:
        """Remove every message and every folder but INBOX, for the next test."""
        self.doveadm("expunge", "-u", user, "mailbox", "*", "all")
        for folder in self.doveadm("mailbox", "list", "-u", user).split():
            if folder != "INBOX":
                self.doveadm("mailbox", "delete", "-u", user, folder)

    def mailbox(self, user: str, folder: str = "INBOX") -> list[tuple[set[str], bytes]]:
        """(flags, bytes) of each message in the folder, as a mail client sees them."""
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            imap.login(user, PASSWORD)
            imap.select(f'"{folder}"', readonly=True)
            _status, data = imap.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _status, parts = imap.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                head, raw = parts[0]
                flags = set(imaplib.ParseFlags(head))
                found.append(({f.decode() for f in flags}, raw))
            return found
        finally:
            imap.logout()
