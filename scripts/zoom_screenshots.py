"""Screenshots of pages at 200% and 400% zoom, for a person to look at (WCAG 1.4.4 and 1.4.10).

A browser zoomed to 200% in a 1366x850 window lays a page out in 683x425 CSS px at two device
pixels per CSS px; 400% is 341x212 at four. This script serves the same seeded desk as the
accessibility sweeps, logs in as each page's user, and saves for every page and zoom what the
window shows (`-view`) and the whole page (`-full`), under test-artifacts/zoom/ by default.
Pages are named as in tests/browser/pages.py.

    .venv/bin/python scripts/zoom_screenshots.py                      # a few of each area
    .venv/bin/python scripts/zoom_screenshots.py admin-agents console-ticket --language ru
    .venv/bin/python scripts/zoom_screenshots.py --all --scheme dark
"""

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script, `tests` and `shared` are not on the path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.pages import PAGES, ROLES  # noqa: E402
from tests.browser.sweep import open_context, serve_seeded_desk, visit  # noqa: E402
from tests.databases import SqliteDatabases  # noqa: E402

ZOOMS = {
    "200": {"viewport": {"width": 683, "height": 425}, "scale": 2},
    "400": {"viewport": {"width": 341, "height": 212}, "scale": 4},
}
DEFAULT_PAGES = [
    "portal-tickets",
    "portal-ticket",
    "console-queue",
    "console-ticket",
    "admin-agents",
    "admin-customers",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="page names from tests/browser/pages.py")
    parser.add_argument("--all", action="store_true", help="every registered page")
    parser.add_argument("--language", default="en")
    parser.add_argument("--scheme", choices=["light", "dark"], default="light")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "test-artifacts" / "zoom")
    args = parser.parse_args()
    names = [page.name for page in PAGES] if args.all else args.pages or DEFAULT_PAGES
    unknown = set(names) - {page.name for page in PAGES}
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    wanted = [page for page in PAGES if page.name in names]
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="deskbell-zoom-") as tmp,
        serve_seeded_desk(SqliteDatabases(Path(tmp)), Path(tmp)) as served,
        sync_playwright() as playwright,
    ):
        logging.getLogger("deskbell.request").setLevel(logging.WARNING)  # one JSON line per request
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for role in ROLES:
            pages = [page for page in wanted if page.role == role]
            if not pages:
                continue
            # One login per role; each zoom gets a context of its own for its device pixel ratio.
            session = open_context(browser, served, role, args.language, args.scheme)
            state = session.storage_state()
            session.close()
            for zoom, setup in ZOOMS.items():
                context = browser.new_context(
                    base_url=served.url,
                    storage_state=state,
                    locale=args.language,
                    color_scheme=args.scheme,
                    viewport=setup["viewport"],
                    device_scale_factor=setup["scale"],
                )
                tab = context.new_page()
                for page in pages:
                    visit(tab, served, page, args.language)
                    stem = args.out / f"{page.name}-{args.language}-{args.scheme}-{zoom}"
                    tab.screenshot(path=f"{stem}-view.png")
                    tab.screenshot(path=f"{stem}-full.png", full_page=True)
                    print(f"  {stem.relative_to(args.out)}-view.png, -full.png")
                context.close()
        browser.close()
    print(f"Done in {time.monotonic() - started:.1f} s: {args.out}")


if __name__ == "__main__":
    main()
