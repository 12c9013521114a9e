"""The front end's files: the stylesheet is built from its parts, and each part keeps its media queries
in one place (at its end, one block per query) using only the breakpoints the tokens part names."""

import re
import subprocess
import sys

import pytest

from shared.core.config import PROJECT_ROOT

PARTS = sorted((PROJECT_ROOT / "static" / "css" / "parts").glob("*.css"))


def test_the_served_stylesheet_is_what_its_parts_build():
    check = subprocess.run(
        [sys.executable, "scripts/build_css.py", "--check"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("part", PARTS, ids=lambda path: path.name)
def test_a_part_gathers_its_media_queries_at_its_end(part):
    """Top-level lines only: inside a block, rules are indented; a comment's lines are skipped."""
    text = re.sub(r"/\*.*?\*/", "", part.read_text(), flags=re.S)
    top = [line for line in text.splitlines() if line.strip() and not line[0].isspace() and line != "}"]
    queries = [line for line in top if line.startswith("@media")]
    first = next((i for i, line in enumerate(top) if line.startswith("@media")), len(top))
    assert top[first:] == queries, "a rule after the part's first @media block"
    assert len(queries) == len(set(queries)), "the same media query twice"
    assert len(part.read_text().splitlines()) <= 400


def test_every_breakpoint_is_one_the_tokens_name():
    named = set(re.findall(r"^\s+(\d+)px\s", PARTS[0].read_text(), flags=re.M))
    used = {width for part in PARTS for width in re.findall(r"@media \(max-width: (\d+)px\)", part.read_text())}
    assert PARTS[0].name == "01-tokens.css" and used and used == named
