"""The processes a benchmark runs and talks to: gunicorn on a free port, a logged-in session with
its CSRF token, and a command's own peak memory read from /proc."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with 2 workers on 127.0.0.1, its instance and database in `home`."""

    def __init__(self, app: str, home: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = home / f"gunicorn-{self.port}.log"
        with self.log.open("w") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS),
                 "--no-control-socket", "--log-level", "warning", app],
                cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{app} did not start: see {self.log}")

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the workers."""
        return self._largest("VmHWM")

    def settled_rss_mb(self) -> float:
        """The largest resident set among the workers now (VmRSS): what they keep between peaks."""
        return self._largest("VmRSS")

    def _largest(self, field: str) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return round(max(status_mb(int(pid), field) for pid in children), 1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


class Session:
    """A logged-in browser: the cookie and a CSRF token for the load tool's requests."""

    def __init__(self, base: str, area: str, email: str, password: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        token = self.csrf(f"/{area}/login")
        body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
        with self.opener.open(f"{base}/{area}/login", body) as response:
            if "/login" in response.url:
                raise RuntimeError(f"cannot log in as {email}")
        self.token = self.csrf(f"/{area}/")

    def csrf(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            return _CSRF.search(response.read().decode()).group(1)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def peak_rss_mb(command: list[str], env: dict[str, str], limit_seconds: float) -> float:
    """A command's own peak resident set, read from /proc (VmHWM) while it runs.

    Not wait4's ru_maxrss: Linux carries a parent's peak into its child's through fork and exec, so
    that figure is never below this process's own peak (a 1M-ticket seed's ~300 MB). A command that
    outlasts the limit is stopped: its peak so far is still the figure asked for.
    """
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = subprocess.Popen(command, cwd=ROOT, env=env, **quiet)
    deadline, peak = time.monotonic() + limit_seconds, 0.0
    while process.poll() is None:
        peak = max(peak, status_mb(process.pid))
        if time.monotonic() > deadline:
            process.kill()
            break
        time.sleep(0.05)
    process.wait()
    return round(peak, 1)


def status_mb(pid: int, field: str = "VmHWM") -> float:
    """A memory field of a live process's /proc status in MB (VmHWM: its peak resident set); 0 once
    it has exited (a zombie has no memory lines)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith(f"{field}:")), 0.0)
