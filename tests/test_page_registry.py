"""The page registry (tests/browser/pages.py) names every GET endpoint: as a page with the role
that opens it, or as no page with a reason. A new page without an entry fails here, so it cannot
slip past the accessibility and reflow sweeps."""

from tests.browser.pages import NOT_PAGES, PAGES
from tests.routes import endpoint_names


def test_every_get_route_is_a_registered_page_or_listed_as_no_page() -> None:
    routes = endpoint_names({"GET"})
    pages = {page.endpoint for page in PAGES}
    assert routes - pages - set(NOT_PAGES) == set(), "add these to PAGES or NOT_PAGES in tests/browser/pages.py"
    assert pages & set(NOT_PAGES) == set(), "an endpoint is either a page or not"
    assert (pages | set(NOT_PAGES)) - routes == set(), "these are no longer routes: remove their entries"


def test_page_names_are_unique_so_k_picks_one() -> None:
    names = [page.name for page in PAGES]
    assert len(names) == len(set(names))
