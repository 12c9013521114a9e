"""Build static/css/deskbell.css from its parts in static/css/parts/ (`make css`).

The stylesheet is written as parts, one per component (tokens, base, buttons, forms, the queue, the
workbench, …), each with its own media queries gathered at its end; their names' numbers are the
cascade order. The pages load the one file built from them, not a <link> per part, because:

- one request per page instead of nineteen: the desk serves its files itself (WhiteNoise under
  gunicorn's sync workers, plain HTTP/1.1, no bundling proxy in front), and each revalidation of a
  part would be a request of its own once the short cache lifetime has passed;
- no `@import`, which would add a round trip before the parts even start to load;
- nothing changes for the Content-Security-Policy (`style-src 'self'`: a file of our own, no inline
  <style>), nor for the address the pages and tests know (/static/css/deskbell.css).

The built file is committed, like the compiled translations, so a clone runs without a build step;
tests/test_static_files.py fails when it is not what the parts build.

    .venv/bin/python scripts/build_css.py          # write static/css/deskbell.css
    .venv/bin/python scripts/build_css.py --check  # exit 1 when it is out of date
"""

import sys
from pathlib import Path

CSS = Path(__file__).resolve().parents[1] / "static" / "css"
PARTS = CSS / "parts"
TARGET = CSS / "deskbell.css"
HEADER = """/* Deskbell's stylesheet — BUILT by `make css` from static/css/parts/: edit the parts, not this file.
   One small stylesheet of our own: no framework, no web fonts. Each part below starts with what it holds;
   the breakpoints are named in parts/01-tokens.css. */
"""


def build() -> str:
    parts = sorted(PARTS.glob("*.css"))
    return HEADER + "".join(f"\n/* ===== parts/{part.name} ===== */\n{part.read_text()}" for part in parts)


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        if TARGET.read_text() != text:
            print(f"{TARGET} is not what static/css/parts/ builds: run `make css`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
