"""Browser fixtures: a live Deskbell per test, Debian's Chromium, accounts, and screenshots.

Every test in this folder gets the `browser` marker, its own server on a fresh database
(with CSRF on, as in production), and keeps full-page screenshots of the pages it visits
under test-artifacts/screenshots/<test-name>/.
"""

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from shared.core.extensions import db
from shared.models import Customer, Department
from shared.people import accounts
from shared.tickets import conversation
from tests.browser.sweep import SeededDesk, serve_seeded_desk
from tests.conftest import PASSWORD, make_app

BROWSER_DIR = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_DIR.parents[1]
SCREENSHOTS_DIR = REPO_ROOT / "test-artifacts" / "screenshots"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1360, "height": 900}

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    # Without this Chromium still asks the system resolver about Google's hosts.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


# --- Chromium --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, never a browser downloaded by `playwright install`."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing, so the browser tests cannot run. "
            "Run `make test` (it installs Debian's chromium package), or `apt-get install -y chromium`.",
            pytrace=False,
        )
    args = CHROMIUM_ARGS
    if browser_type_launch_args.get("headless") is False:  # --headed
        args = [arg for arg in args if not arg.startswith("--headless")]
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args}


# --- The live server -------------------------------------------------------------------


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str
    errors: list[BaseException]


@pytest.fixture
def live_server(databases, tmp_path: Path, app_config: dict) -> Iterator[LiveServer]:
    """Deskbell on 127.0.0.1 and a free port, over a fresh database, with real CSRF checks
    (and `app_config`'s settings, which a test module may override).

    An exception in a view fails the test, even when the page it broke was not asserted on.
    """
    app = make_app(
        databases,
        tmp_path / "instance",
        **{"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "SERVER_NAME": None, **app_config},
    )
    errors: list[BaseException] = []

    def record(sender, exception: BaseException, **extra) -> None:
        errors.append(exception)

    got_request_exception.connect(record, app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="deskbell-live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", errors=errors)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(record, app)
        with app.app_context():
            db.engine.dispose()
        databases.drop(app.config["DATABASE_URL"])
    assert not errors, f"the live server raised: {errors!r}"


@pytest.fixture
def browser_context_args(browser_context_args: dict, live_server: LiveServer) -> dict:
    """Relative URLs in page.goto() and expect(page).to_have_url() resolve against the live server."""
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext]) -> Callable[..., BrowserContext]:
    """Contexts that give up after 5 s: on a local server a page that takes longer is a failure."""

    def create(**kwargs) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(5_000)
        return context

    return create


# --- Accounts and tickets in the live database -----------------------------------------


@dataclass(frozen=True)
class Account:
    """What a person types to log in, and the name the pages show for them."""

    email: str
    name: str
    password: str = PASSWORD


def _in_live_app(live_server: LiveServer):
    """The live app's context, as if inside one of its requests (so mail links use its address)."""
    return live_server.app.test_request_context(base_url=live_server.url)


@pytest.fixture
def in_live_app(live_server: LiveServer) -> Callable[[Callable], object]:
    """Run `work()` inside the live app and commit: a change made elsewhere (a customer, a colleague)."""

    def run(work: Callable):
        with _in_live_app(live_server):
            result = work()
            db.session.commit()
            return result

    return run


def mark_the_page(page: Page) -> None:
    """A value that survives htmx swaps but not a page load; set once the page has loaded, so
    the test goes on with the page's scripts listening."""
    page.wait_for_load_state("load")
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1


def mark_the_live_region(page: Page) -> None:
    """Tag the page's live region (#live-status), so `expect_said` can tell it was never swapped:
    a screen reader hears a region change, never a region that is put in anew."""
    page.evaluate("document.getElementById('live-status').__kept = 1")


def expect_said(page: Page, text: str | re.Pattern) -> None:
    """The live region, the same element as when marked, now says `text`."""
    expect(page.locator("#live-status")).to_have_text(text)
    assert page.evaluate("document.getElementById('live-status').__kept") == 1, "the live region was swapped"


@pytest.fixture
def add_customer(live_server: LiveServer) -> Callable[..., Account]:
    def add(email: str = "alice@example.com", name: str = "Alice Archer", password: str | None = PASSWORD) -> Account:
        """`password=None` makes a customer as email does: one who has never logged in."""
        with _in_live_app(live_server):
            accounts.create_customer(email, name=name, password=password)
            db.session.commit()
        return Account(email, name, password or "")

    return add


@pytest.fixture
def add_agent(live_server: LiveServer) -> Callable[..., Account]:
    def add(email: str = "bob@desk.example", name: str = "Bob Baker", password: str = PASSWORD) -> Account:
        with _in_live_app(live_server):
            accounts.create_agent(email, name=name, password=password)
            db.session.commit()
        return Account(email, name, password)

    return add


@pytest.fixture
def live_customer(add_customer) -> Account:
    return add_customer()


@pytest.fixture
def live_agent(add_agent) -> Account:
    return add_agent()


@pytest.fixture
def add_ticket(live_server: LiveServer) -> Callable[..., int]:
    """File a ticket for a customer straight in the database; returns its number."""

    def add(customer: Account, subject: str = "The printer is on fire", body: str = "Smoke everywhere.") -> int:
        with _in_live_app(live_server):
            account = accounts.find_customer(customer.email)
            department = db.session.scalar(db.select(Department).where(Department.name == "General"))
            assert isinstance(account, Customer) and department is not None
            ticket = conversation.open_ticket(
                actor=account, customer=account, department=department, subject=subject, body=body
            )
            db.session.commit()
            return ticket.number

    return add


@pytest.fixture
def log_in() -> Callable[[Page, str, Account], None]:
    """`log_in(page, "portal" or "console", account)`: fill in that area's login form and submit it.

    Returns once the next page has fired `load`, so its deferred scripts (keyboard shortcuts,
    htmx) are listening before the test presses a key."""

    def fill_in(page: Page, area: str, account: Account) -> None:
        page.goto(f"/{area}/login")
        page.get_by_label("Email").fill(account.email)
        page.get_by_label("Password").fill(account.password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()

    return fill_in


# --- Screenshots -----------------------------------------------------------------------

_claimed_folders: set[Path] = set()


class Screenshots:
    """Full-page screenshots numbered in the order taken: <folder>/NN-<label>.png."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[Path] = []
        self._pages: list[Page] = []

    def __call__(self, page: Page, label: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        path = self.folder / f"{len(self.taken) + 1:02d}-{slug}.png"
        # From the top: a page scrolled to an #anchor would draw its sticky top bar mid-picture.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=path, full_page=True)
        self.taken.append(path)
        if page not in self._pages:
            self._pages.append(page)
        return path

    def pages_still_open(self) -> list[Page]:
        return [page for page in self._pages if not page.is_closed()]


def _folder_name(item: pytest.Item) -> str:
    name = item.name.removesuffix("[chromium]")  # the only browser we run
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


_reports_key = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, new_context) -> Iterator[Screenshots]:
    """Call `screenshot(page, "label")` on each page the test arrives at.

    Old screenshots of the same test are removed first; if the test fails, every page it
    photographed gets one more shot, labelled "failed", showing where it stopped (this
    fixture depends on `new_context` so that it runs before the browser contexts close).
    """
    folder = SCREENSHOTS_DIR / _folder_name(request.node)
    assert folder not in _claimed_folders, f"two tests would share the screenshot folder {folder}"
    _claimed_folders.add(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shots = Screenshots(folder)
    yield shots
    call = request.node.stash.get(_reports_key, {}).get("call")
    if call is not None and call.failed:
        for page in shots.pages_still_open():
            shots(page, "failed")


# --- The sweeps over every registered page ---------------------------------------------


@pytest.fixture(scope="session")
def seeded_desk(databases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededDesk]:
    """The demo desk served once per test process, for the sweeps over every page (tests/browser/sweep.py)."""
    with serve_seeded_desk(databases, tmp_path_factory.mktemp("seeded-desk")) as served:
        yield served
    assert not served.errors, f"the seeded desk raised: {served.errors!r}"
