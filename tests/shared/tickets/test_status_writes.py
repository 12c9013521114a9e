"""Nothing but the rules engine assigns a ticket's status: a scan of the source that proves it."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


# Nothing but the rules engine assigns a ticket's status ---------------------------------

STATUS_FIELDS = {"status", "status_id"}
SANCTIONED = {"shared/tickets/rules.py"}
_SQL_STATUS_UPDATE = re.compile(r"\bupdate\s+tickets\s+set\b[^;]*\bstatus", re.IGNORECASE | re.DOTALL)


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found, todo = [], list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        found, todo = [], [node.target]
    else:
        return []
    while todo:  # unpack `a.status, b = ...` and `*a.status = ...`
        target = todo.pop()
        if isinstance(target, ast.Tuple | ast.List):
            todo.extend(target.elts)
        elif isinstance(target, ast.Starred):
            todo.append(target.value)
        else:
            found.append(target)
    return found


def status_writes(source: str) -> list[int]:
    """Line numbers where `source` writes a status: `x.status = ...`, `x.status_id = ...`,
    `setattr(x, "status", ...)`, `Ticket(status=...)`, `.values(status_id=...)` or raw SQL."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if any(isinstance(t, ast.Attribute) and t.attr in STATUS_FIELDS for t in _targets(node)):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            keys = {kw.arg for kw in node.keywords}
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    keys |= {k.value if isinstance(k, ast.Constant) else getattr(k, "attr", None) for k in arg.keys}
            second = node.args[1] if len(node.args) > 1 else None
            if (
                (name in ("Ticket", "values", "update") and keys & STATUS_FIELDS)
                or (name == "setattr" and isinstance(second, ast.Constant) and second.value in STATUS_FIELDS)
            ):  # fmt: skip
                lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL_STATUS_UPDATE.search(node.value):
            lines.append(node.lineno)
    return lines


def status_writers() -> dict[str, list[int]]:
    paths = [p for folder in ("shared", "portal", "console") for p in (ROOT / folder).rglob("*.py")]
    found = {str(p.relative_to(ROOT)): status_writes(p.read_text()) for p in [*paths, ROOT / "wsgi.py"]}
    return {path: lines for path, lines in found.items() if lines}


def test_only_the_rules_engine_assigns_a_ticket_status():
    writers = status_writers()
    assert set(writers) - SANCTIONED == set(), {p: writers[p] for p in set(writers) - SANCTIONED}


def test_the_status_scan_sees_the_rules_engine():
    """Guard against the check above passing because it reads nothing."""
    source = (ROOT / "shared" / "tickets" / "rules.py").read_text()
    assigned = [n for n, line in enumerate(source.splitlines(), 1) if re.search(r"\bticket\.status\s*=", line)]
    assert assigned and status_writers().get("shared/tickets/rules.py") == assigned


@pytest.mark.parametrize(
    "code",
    [
        "ticket.status = closed",
        "self.ticket.status = closed",
        "ticket.status_id = 3",
        "ticket.status_id += 1",
        "ticket.status, other = a, b",
        "setattr(ticket, 'status', closed)",
        "setattr(ticket, 'status_id', 3)",
        "Ticket(number=1, status=closed)",
        "models.Ticket(number=1, status_id=3)",
        "db.session.execute(update(Ticket).values(status_id=3))",
        "db.session.execute(update(Ticket).values({'status_id': 3}))",
        "db.session.execute(update(Ticket).values({Ticket.status_id: 3}))",
        "db.session.execute(text('UPDATE tickets SET status_id = 3 WHERE id = 1'))",
    ],
)
def test_the_status_scan_catches_every_way_of_writing_a_status(code):
    assert status_writes(code) == [1]


@pytest.mark.parametrize(
    "code",
    [
        "PropertiesForm(formdata=None, status=ticket.status_id)",
        "form.status.choices = []",
        "status = ticket.status",
        "before = ticket.status_id",
        "jsonify(status='ok')",
        "Response(status=204)",
        "query.where(Ticket.status_id == 3)",
    ],
)
def test_the_status_scan_lets_reads_and_unrelated_statuses_through(code):
    assert status_writes(code) == []
