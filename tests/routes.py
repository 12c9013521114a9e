"""The app's own URL map as (method, path) pairs, so tests over every view cover new views too."""

from wsgi import create_app

SAMPLE_VALUES = {
    "number": 1001,
    "attachment_id": 1,
    "token": "x" * 43,
    # The admin area's records (tests that post to them make the first of each).
    "agent_id": 1,
    "customer_id": 1,
    "organization_id": 1,
    "department_id": 1,
    "product_id": 1,
    "canned_id": 1,
    "view_id": 1,
    "calendar_id": 1,
    "holiday_id": 1,
    # Mail: a received message, a queued one, and a file name the demo's mail catcher writes.
    "inbound_id": 1,
    "outbox_id": 1,
    "name": "20260101T120000000000-0123abcd.eml",
    # A login session (the sha256 of its token).
    "session_id": "0" * 64,
    # The app's own.
    "filename": "favicon.svg",
}


def endpoint_names(methods: set[str]) -> set[str]:
    """Every endpoint of the app (every area's and the app's own) that answers one of `methods`."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & methods}


def endpoints(area: str, methods: set[str] | None = None) -> list[tuple[str, str]]:
    """Every (method, path) of an area, optionally only the given methods."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    adapter = app.url_map.bind("desk.test")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{area}."):
            path = adapter.build(rule.endpoint, {name: SAMPLE_VALUES[name] for name in rule.arguments})
            wanted = rule.methods - {"HEAD", "OPTIONS"}
            found += [(method, path) for method in sorted(wanted & methods if methods else wanted)]
    return found


def app_languages() -> list[str]:
    """The languages the desk ships, as the app itself lists them."""
    return list(create_app({"TESTING": True, "SECRET_KEY": "x"}).config["LANGUAGES"])
