"""The shape of the code: dependency direction, the composition root, vendored files."""

import ast
import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def imported_packages(package: str) -> dict[str, set[str]]:
    """For each module of `package`, the top-level packages it imports."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("shared", {"portal", "console", "wsgi"}), ("portal", {"console", "wsgi"}), ("console", {"portal", "wsgi"})],
)
def test_import_direction(package, forbidden):
    offenders = {module: names & forbidden for module, names in imported_packages(package).items() if names & forbidden}
    assert offenders == {}


def test_the_import_check_sees_imports():
    """Guard against the check above passing because it reads nothing."""
    assert "shared" in imported_packages("portal")["portal/tickets.py"]


def test_no_create_all_outside_tests():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("shared", "portal", "console", "migrations")
        for path in (ROOT / folder).rglob("*.py")
        if "create_all(" in path.read_text()
    ]
    assert offenders == [] and "create_all(" not in (ROOT / "wsgi.py").read_text()


def test_vendored_htmx_is_the_recorded_release():
    data = (ROOT / "static" / "js" / "htmx-2.0.11.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256


def test_instance_folder_holds_only_its_placeholder_in_git():
    ignore = (ROOT / ".gitignore").read_text().splitlines()
    assert "/instance/*" in ignore and "!/instance/README.md" in ignore
