"""The benchmark suite behind `make bench`: seed (or reuse) a desk per size, serve it with gunicorn
beside the floor, load each page with wrk, measure mail ingest and the worker, and write the table.

Sizes come from BENCH_SIZES (default "10000"), the duration of each load from BENCH_DURATION
(seconds, default 10). Seeded desks are cached under bench/cache/, keyed by size and migration head.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from alembic.script import ScriptDirectory

from bench import seed as bench_seed

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
RESULTS = ROOT / "bench" / "results"
# The public mail corpus beside the repository (../shared/mail-corpus); without it the ingest line is skipped.
CORPUS = Path(os.environ.get("BENCH_MAIL_CORPUS") or ROOT.parent / "shared" / "mail-corpus")
BIN = Path(sys.executable).parent
CONNECTIONS, THREADS, WORKERS = 4, 2, 2
WORKER_LIMIT_SECONDS = 300
SECRET = "deskbell-bench-secret"
BENCH_UNLIMITED = ["LOGIN_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT", "TICKET_RATE_LIMIT", "TICKET_ACCOUNT_RATE_LIMIT"]
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Row:
    """One measured line of the table."""

    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    ratio: float | None = None  # p50 over the floor's p50
    note: str = ""


@dataclass
class SizeResult:
    tickets: int
    seed_seconds: float | None
    database_mb: float
    rows: list[Row] = field(default_factory=list)
    gunicorn_rss_mb: float | None = None
    gunicorn_settled_mb: float | None = None  # the largest worker's RSS once the load is over
    floor_rss_mb: float | None = None
    worker_rss_mb: float | None = None
    ingest_per_second: float | None = None


def migration_head() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head() or "none"


def seeded_desk(tickets: int) -> tuple[Path, bench_seed.Seeded | None]:
    """The cached desk of this size, seeded first when missing; with how long seeding took."""
    database = CACHE / f"desk-{tickets}-{migration_head()}.sqlite"
    info = database.with_suffix(".json")
    if not (database.exists() and info.exists()):
        for stale in CACHE.glob(f"desk-{tickets}-{migration_head()}*"):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        print(f"Seeding {tickets:,} tickets into {database}", file=sys.stderr)
        bench_seed.seed(database, tickets)
    return database, bench_seed.Seeded(**json.loads(info.read_text()))


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
        return round(max(_status_mb(int(pid), field) for pid in children), 1)

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


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return round(float(number) * _UNITS[unit], 2)


def probe(url: str, headers: dict[str, str]) -> int:
    """The status of one GET, redirects not followed: a page that fails or moves is not measured."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def failures(log: Path, offset: int) -> Counter[int]:
    """The error statuses in Deskbell's access log (one JSON object a line) past `offset`."""
    found: Counter[int] = Counter()
    with log.open() as lines:
        lines.seek(offset)
        for line in lines:
            if line.startswith("{") and (status := json.loads(line).get("status", 0)) >= 400:
                found[status] += 1
    return found


def wrk(
    name: str,
    url: str,
    duration: int,
    *,
    headers: dict[str, str] | None = None,
    script: str = "",
    log: Path | None = None,
) -> Row:
    """Load `url` for `duration` seconds with 4 connections; a script makes the requests POSTs."""
    offset = log.stat().st_size if log else 0
    if not script and (status := probe(url, headers or {})) != 200:
        raise RuntimeError(f"{name}: {url} answers {status}, not 200")
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    if script:
        command += ["-s", lua.name]
    completed = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    output = completed.stdout
    os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    row = Row(name, round(rps, 1), _ms(p50.group(1)) if p50 else None, _ms(p99.group(1)) if p99 else None)
    row.errors = int(errors.group(1)) if errors else 0
    notes = [f"socket errors: {socket_errors.group(1)}"] if socket_errors else []
    if log and (statuses := failures(log, offset)):
        notes.append(", ".join(f"{count} × HTTP {status}" for status, count in sorted(statuses.items())))
    notes += sorted({line[:160] for line in completed.stderr.splitlines() if line.startswith("HTTP ")})
    row.note = "; ".join(notes)
    return row


def post_script(cookie: str, token: str, body: dict[str, str], paths: tuple[str, int, int] | None = None) -> str:
    """wrk's Lua for a form POST with the session cookie and CSRF token; `paths` spreads the requests
    over ticket numbers (a format with one %d, and its range)."""
    form = urllib.parse.urlencode({**body, "csrf_token": token})
    lines = [
        'wrk.method = "POST"',
        f"wrk.body = {json.dumps(form)}",
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
        f'wrk.headers["Cookie"] = {json.dumps(cookie)}',
    ]
    # The first failure each thread sees goes to standard error, for the table's notes.
    lines.append(
        "response = function(status, headers, body) if status >= 400 and not told then told = true "
        'io.stderr:write("HTTP " .. status .. ": " .. body:sub(1, 200):gsub("%s+", " ") .. "\\n") end end'
    )
    if paths:
        pattern, low, high = paths
        lines.append(f"request = function() return wrk.format(nil, string.format({json.dumps(pattern)}, "
                     f"math.random({low}, {high}))) end")  # fmt: skip
    return "\n".join(lines) + "\n"


def measure_pages(base: str, desk: bench_seed.Seeded, duration: int, log: Path) -> list[Row]:
    agent = Session(base, "console", desk.admin, desk.password)
    customer = Session(base, "portal", desk.portal_customer, desk.password)
    as_agent = {"Cookie": agent.cookie}
    htmx = {**as_agent, "HX-Request": "true"}
    pages = [
        ("Queue: default (All open)", "/console/", as_agent),
        ("Queue: Needs reply", "/console/?queue=needs_reply", as_agent),
        ("Queue: filtered (priority high)", "/console/?priority=high", as_agent),
        ("Queue: sorted by priority", "/console/?sort=priority&order=desc", as_agent),
        ("Queue: page 50 (Closed)", "/console/?queue=status:closed&page=50", as_agent),
        ("Queue list partial (htmx)", "/console/", htmx),
        ("Queue counts (htmx)", "/console/queues/counts", htmx),
        (f"Ticket page ({bench_seed.LONG_TICKET_ENTRIES} entries)", f"/console/tickets/{desk.long_ticket}", as_agent),
        (f'Search "{desk.search_word}"', f"/console/search?q={desk.search_word}", as_agent),
        ("Portal: My tickets (500)", "/portal/tickets", {"Cookie": customer.cookie}),
    ]
    rows = [wrk(name, base + path, duration, headers=headers, log=log) for name, path, headers in pages]
    filing = post_script(
        customer.cookie,
        customer.token,
        {"type": "question", "department": "1", "subject": "Invoice shows the wrong address",
         "body": "Hello, my last invoice shows our old address. Could you correct it? Thanks"},
    )  # fmt: skip
    rows.append(wrk("File a ticket (portal POST)", f"{base}/portal/tickets/new", duration, script=filing, log=log))
    last = 1000 + desk.tickets
    reply = post_script(
        agent.cookie,
        agent.token,
        {"visibility": "public", "body": "Thanks for writing in: I have corrected it, it shows on the next invoice."},
        ("/console/tickets/%d/reply", max(1001, last - 5000), last),
    )
    rows.append(
        wrk("Agent reply (console POST)", f"{base}/console/tickets/{last}/reply", duration, script=reply, log=log)
    )
    return rows


def measure_ingest(database: Path, home: Path) -> float | None:
    """Messages per second through `flask mail ingest`'s path (store, then process), in-process;
    None (the table says "—") when the mail corpus is not there."""
    if not any(CORPUS.rglob("*.eml")):
        print(f"Mail ingest skipped: no messages under {CORPUS} (set BENCH_MAIL_CORPUS).", file=sys.stderr)
        return None
    code = f"""
import sys, time
from pathlib import Path
from bench.seed import make_app
from shared.mail import intake
app = make_app(Path({str(database)!r}))
messages = [p.read_bytes() for p in sorted(Path({str(CORPUS)!r}).rglob("*.eml"))]
with app.app_context():
    started = time.perf_counter()
    for raw in messages:
        try:
            inbound, new = intake.receive(raw, source="pipe")
        except intake.EmptyMessage:
            continue
        if new:
            intake.process_one(inbound.id)
    print(len(messages) / (time.perf_counter() - started))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(home, database), capture_output=True,
                            text=True, check=True)  # fmt: skip
    return round(float(result.stdout.split()[-1]), 1)


def measure_worker(database: Path, home: Path) -> float:
    """The worker's peak RSS over one round of every job (`flask worker --once`)."""
    command = [str(BIN / "flask"), "--app", "wsgi", "worker", "--once"]
    return peak_rss_mb(command, _env(home, database), WORKER_LIMIT_SECONDS)


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
        peak = max(peak, _status_mb(process.pid))
        if time.monotonic() > deadline:
            process.kill()
            break
        time.sleep(0.05)
    process.wait()
    return round(peak, 1)


def _status_mb(pid: int, field: str = "VmHWM") -> float:
    """A memory field of a live process's /proc status in MB (VmHWM: its peak resident set); 0 once
    it has exited (a zombie has no memory lines)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith(f"{field}:")), 0.0)


def _env(home: Path, database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DESKBELL_SECRET_KEY": SECRET,
        "DESKBELL_INSTANCE_PATH": str(home),
        "DESKBELL_DATABASE_URL": f"sqlite:///{database}",
        # The load files tickets and logs in far faster than a person: the limits stay on (their
        # check is part of what is measured) but never refuse it.
        **{f"DESKBELL_{setting}": "1000000 per minute" for setting in BENCH_UNLIMITED},
    }


def run_size(tickets: int, duration: int) -> SizeResult:
    cached, desk = seeded_desk(tickets)
    with tempfile.TemporaryDirectory(prefix="deskbell-bench-") as tmp:
        home = Path(tmp)
        database = home / "deskbell.sqlite"
        for suffix in ("", "-wal"):  # the POSTs write: the cached desk stays as seeded
            if Path(f"{cached}{suffix}").exists():
                shutil.copyfile(f"{cached}{suffix}", f"{database}{suffix}")
        result = SizeResult(tickets, desk.seconds, round(cached.stat().st_size / 2**20, 1))
        floor = Server("bench.floor:app", home, _env(home, database))
        try:
            floor_row = wrk("Floor: bare Flask, 50 rows", floor.base + "/", duration)
            result.floor_rss_mb = floor.peak_rss_mb()
        finally:
            floor.stop()
        server = Server("wsgi:create_app()", home, _env(home, database))
        try:
            rows = measure_pages(server.base, desk, duration, server.log)
            result.gunicorn_rss_mb = server.peak_rss_mb()
            result.gunicorn_settled_mb = server.settled_rss_mb()
        finally:
            server.stop()
        locked = server.log.read_text().count("database is locked")
        if locked:
            rows[-1].note = rows[-2].note = f'"database is locked" {locked} times in the log'
        for row in [floor_row, *rows]:
            if row.p50_ms and floor_row.p50_ms:
                row.ratio = round(row.p50_ms / floor_row.p50_ms, 1)
        result.rows = [floor_row, *rows]
        result.ingest_per_second = measure_ingest(database, home)
        result.worker_rss_mb = measure_worker(database, home)
    return result


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), "unknown CPU")  # fmt: skip
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return f"{os.cpu_count()} cores, {cpu}, {memory:.0f} GB RAM"


def _cell(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:,.1f}{suffix}" if isinstance(value, float) else f"{value}{suffix}"


def markdown(results: list[SizeResult], when: str) -> str:
    lines = [f"Measured {when} on {machine()}; SQLite, gunicorn with {WORKERS} workers, wrk with "
             f"{CONNECTIONS} connections.", ""]  # fmt: skip
    for result in results:
        seeded = f", seeded in {result.seed_seconds:,.0f} s" if result.seed_seconds else ""
        lines += [
            f"### {result.tickets:,} tickets ({result.database_mb:,.0f} MB database, "
            f"{result.database_mb * 1024 / result.tickets:.1f} KB per ticket{seeded})",
            "",
            "| Page or action | req/s | p50 ms | p99 ms | p50 ÷ floor | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in result.rows:
            note = f" ({row.note})" if row.note else ""
            lines.append(
                f"| {row.name} | {_cell(row.rps)} | {_cell(row.p50_ms)} | {_cell(row.p99_ms)} | "
                f"{_cell(row.ratio, '×')} | {row.errors}{note} |"
            )
        lines += [
            "",
            f"Mail ingest: {_cell(result.ingest_per_second)} messages/s. Peak RSS: gunicorn worker "
            f"{_cell(result.gunicorn_rss_mb)} MB ({_cell(result.gunicorn_settled_mb)} MB after the load; "
            f"floor {_cell(result.floor_rss_mb)} MB), "
            f"`flask worker --once` {_cell(result.worker_rss_mb)} MB.",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "10000").split()]
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `make bench` installs it (sh scripts/apt-install.sh wrk)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    results: list[SizeResult] = []
    for size in sizes:  # written after each size, so a long run keeps what it measured
        results.append(run_size(size, duration))
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        table = markdown(results, when)
        payload = {"measured": when, "machine": machine(), "results": [asdict(result) for result in results]}
        (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(payload, indent=2))
        (RESULTS / f"bench-{stamp}.md").write_text(table)
        (RESULTS / "latest.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
