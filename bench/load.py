"""Loading pages with wrk: one measured row per page or form post, with its errors read from wrk
and from Deskbell's own access log."""

import http.client
import json
import os
import re
import subprocess
import tempfile
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import seed as bench_seed
from bench.processes import Session

CONNECTIONS, THREADS = 4, 2
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
