"""The benchmark's table: each size's measured rows and figures, written as Markdown for the README."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import CONNECTIONS, Row
from bench.processes import WORKERS


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
