"""The benchmark suite behind `make bench`: seed (or reuse) a desk per size, serve it with gunicorn
beside the floor, load each page with wrk, measure mail ingest and the worker, and write the table.

Sizes come from BENCH_SIZES (default "10000"), the duration of each load from BENCH_DURATION
(seconds, default 10). Seeded desks are cached under bench/cache/, keyed by size and migration head.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from bench import seed as bench_seed
from bench.load import measure_pages, wrk
from bench.processes import BIN, ROOT, Server, peak_rss_mb
from bench.table import SizeResult, machine, markdown

CACHE = ROOT / "bench" / "cache"
RESULTS = ROOT / "bench" / "results"
# The public mail corpus beside the repository (../shared/mail-corpus); without it the ingest line is skipped.
CORPUS = Path(os.environ.get("BENCH_MAIL_CORPUS") or ROOT.parent / "shared" / "mail-corpus")
WORKER_LIMIT_SECONDS = 300
SECRET = "deskbell-bench-secret"
BENCH_UNLIMITED = ["LOGIN_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT", "TICKET_RATE_LIMIT", "TICKET_ACCOUNT_RATE_LIMIT"]


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
