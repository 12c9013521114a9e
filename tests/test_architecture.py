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


# The sub-packages of shared/, from the ground up: each imports only itself and those before it.
LAYERS = (
    "core",
    "models",
    "mime",
    "records",
    "access",
    "outgoing",
    "sla",
    "queues",
    "search",
    "people",
    "tickets",
    "delivery",
    "mail",
    "web",
    "demo",
    "operations",
)
TOP = ("worker", "cli")  # the worker and the command line (which starts it), above every sub-package


def shared_imports(path: Path) -> set[str]:
    """The parts of `shared` a module imports: `from shared.mail import x` and `from shared import mail`
    are both `mail`; `import shared.mail.intake` too."""
    parts = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "shared":
                parts |= {alias.name for alias in node.names}
            elif node.module.startswith("shared."):
                parts.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            parts |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("shared.")}
    return parts


def layer_of(path: Path) -> str:
    return path.relative_to(ROOT / "shared").parts[0].removesuffix(".py")


def upward_imports() -> dict[str, set[str]]:
    order = {name: n for n, name in enumerate((*LAYERS, *TOP))}
    found = {}
    for path in (ROOT / "shared").rglob("*.py"):
        own = layer_of(path)
        if own == "__init__":
            continue
        above = {part for part in shared_imports(path) if order[part] > order[own]}
        if above:
            found[str(path.relative_to(ROOT))] = above
    return found


def test_shared_is_the_sub_packages_in_their_order_and_nothing_else():
    """A new module goes into a sub-package; a new sub-package takes its place in LAYERS."""
    parts = {layer_of(path) for path in (ROOT / "shared").iterdir() if path.name != "__pycache__"}
    assert parts == {*LAYERS, *TOP, "__init__"}
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((ROOT / "shared" / layer / "__init__.py").read_text()))
        assert doc, f"shared/{layer}/__init__.py says what lives there and what it may import"


def test_no_sub_package_imports_one_above_it():
    assert upward_imports() == {}


def test_the_layer_check_sees_imports():
    """Guard against the check above passing because it reads nothing."""
    assert "tickets" in shared_imports(ROOT / "shared" / "mail" / "routing.py")
    assert "outgoing" in shared_imports(ROOT / "shared" / "tickets" / "rules.py")


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
