"""The floor: a bare Flask + Jinja page with a 50-row table, about the markup of a queue list.

Served under the same gunicorn settings as Deskbell, its p50 is what any page costs on this machine
before a database or a session is involved; the benchmarks state Deskbell's figures as ratios to it.
"""

import random

from flask import Flask

ROWS = 50

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Queue · Floor</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main class="queue"><h1>All open</h1>
<table class="tickets"><thead><tr><th><input type="checkbox" aria-label="Select all"></th><th>Ticket</th>
<th>Customer</th><th>Status</th><th>Priority</th><th>Assignee</th><th>Last update</th></tr></thead><tbody>
{% for row in rows %}<tr class="ticket-row{% if row.unread %} ticket-row--unread{% endif %}">
<td><input type="checkbox" name="ticket" value="{{ row.number }}" aria-label="Select #{{ row.number }}"></td>
<td><a class="ticket-row__subject" href="/console/tickets/{{ row.number }}">#{{ row.number }} {{ row.subject }}</a>
<div class="ticket-row__preview muted">{{ row.preview }}</div></td>
<td>{{ row.customer }}<div class="muted">{{ row.email }}</div></td>
<td><span class="badge badge--{{ row.status }}">{{ row.status|title }}</span></td>
<td><span class="priority priority--{{ row.priority }}">{{ row.priority|title }}</span></td>
<td>{{ row.assignee or "Unassigned" }}</td>
<td><time datetime="{{ row.updated }}">{{ row.updated }}</time><div class="muted">by {{ row.by }}</div></td></tr>
{% endfor %}</tbody></table>
<nav class="pager"><a href="?page=2">Next</a></nav></main></body></html>"""


def _rows() -> list[dict]:
    rng = random.Random(50)
    words = ["invoice", "refund", "login", "export", "report", "upgrade", "delivery", "password", "screen", "order"]
    return [
        {
            "number": 1000 + i,
            "subject": f"Question about my {rng.choice(words)} and the {rng.choice(words)}",
            "preview": " ".join(rng.choices(words, k=20)),
            "customer": f"Customer {i}",
            "email": f"customer{i}@example.com",
            "status": rng.choice(("new", "assigned", "waiting")),
            "priority": rng.choice(("low", "normal", "high")),
            "assignee": rng.choice((None, "Anna Adler", "Ben Berg")),
            "updated": f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00",
            "by": rng.choice(("customer", "agent")),
            "unread": i % 3 == 0,
        }
        for i in range(ROWS)
    ]


app = Flask(__name__)
_TEMPLATE = app.jinja_env.from_string(PAGE)  # compiled once, as Flask caches a template file
_ROWS = _rows()


@app.get("/")
def table() -> str:
    return _TEMPLATE.render(rows=[dict(row) for row in _ROWS])
