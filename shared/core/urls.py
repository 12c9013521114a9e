"""Absolute links for mail, built from the configured BASE_URL, never from a request's Host header
(which a client chooses) and also where there is no request at all (the worker, the CLI)."""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: object) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
