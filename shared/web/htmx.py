"""Web helpers both blueprints use: htmx request kinds, uploads, the request log and errors."""

import json
import logging
import time
from urllib.parse import urlsplit

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import text
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map, ValidationError

from shared.core import bounds, remote_images
from shared.core.extensions import db
from shared.core.logs import iso_utc
from shared.tickets.attachments import Upload, limit_bytes

request_log = logging.getLogger("deskbell.request")


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: an id is from 1 to what a column holds (shared/core/bounds.py), and any
    other value is no match, so the address is a 404 before any query: PostgreSQL refuses a number
    past its INTEGER and SQLite's driver one past 64 bits, each with a 500."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int = 1, max: int = bounds.INT_MAX) -> None:
        super().__init__(map, fixed_digits, min, max)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(bounds.INT_MAX)):  # and never ask int() for ten thousand digits
            raise ValidationError()
        return super().to_python(value)


def is_fragment_request() -> bool:
    """htmx wants a fragment: not for boosted requests nor history restores, which need a page.
    Asking makes the answer depend on it, so it goes out with `Vary: HX-Request` (`_vary_by_htmx`)."""
    g.varies_by_htmx = True
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def local_path(asked: str | None, *, under: str, default: str) -> str:
    """Where to send the browser back to (a `next=`): a path of this desk starting with `under`, else
    `default`. Never another site (`https://…`, `//host`, `/\\host`, which browsers read as `//host`) and
    never a character that could split the Location header (CR, LF, NUL, any control character)."""
    asked = asked or ""
    if not asked.isprintable() or "\\" in asked or asked.startswith("//"):
        return default
    parts = urlsplit(asked)
    if parts.scheme or parts.netloc or not parts.path.startswith(under):
        return default
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def uploads_from(files: list[FileStorage]) -> list[Upload]:
    """Read uploaded files; one byte past the limit is enough to refuse them in the domain."""
    wanted = [f for f in files if isinstance(f, FileStorage) and f.filename]  # a crafted text field is no file
    return [Upload(f.filename or "attachment", f.read(limit_bytes() + 1)) for f in wanted]


class BadInput(BadRequest):
    """A 400 that tells the person what was wrong with what they sent (errors/_message.html shows it)."""

    def __init__(self, advice: str) -> None:
        super().__init__()
        self.advice = advice


def _refuse_nul() -> None:
    """No one types a NUL character, and PostgreSQL can neither store nor compare text holding one: a
    query argument or form field with one is refused whole, before any view reads it."""
    try:
        fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    except RequestEntityTooLarge:
        return  # the view reading the form answers that
    if any("\x00" in key or "\x00" in value for key, value in fields):
        raise BadInput(
            gettext("What was sent holds a NUL character, which no text here may contain. Remove it and try again.")
        )


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    """One JSON line per request, for people and log shippers alike. It names the route
    (/portal/reset/<token>), never the path nor the query string, which may carry a secret."""
    started = g.get("request_started")
    user = current_user.get_id() if current_user and current_user.is_authenticated else None
    request_log.info(
        json.dumps(
            {
                "time": iso_utc(time.time()),
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                "user": user,
                "htmx": request.headers.get("HX-Request") == "true",
                "ip": request.remote_addr,
            }
        )
    )
    return response


def _vary_by_htmx(response: Response) -> Response:
    """`Vary: HX-Request` on every answer that differs by it: whatever the view answered after asking
    `is_fragment_request()` (page or fragment, as shared/web/views.py's `render` says it too), and
    any answer to htmx, so a cache never hands a fragment for a page nor a page for a fragment."""
    if g.get("varies_by_htmx") or request.headers.get("HX-Request"):
        response.vary.add("HX-Request")
    return response


def _no_store(response: Response) -> Response:
    """Nothing the app itself answers is kept by a browser or a proxy cache: its pages show one
    person's tickets, and the login pages carry a form token. (Static files are WhiteNoise's.)"""
    response.cache_control.no_store = True
    return response


def _handle_http_error(error: HTTPException) -> tuple[str, int, list[tuple[str, str]]]:
    code = error.code or 500
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]  # Retry-After, Allow
    if is_fragment_request():
        return render_template("errors/_message.html", error=error), code, headers
    return render_template("errors/error.html", error=error), code, headers


def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        return jsonify(status="error", database=str(exc.__class__.__name__)), 503
    return jsonify(status="ok", database="ok"), 200


def favicon() -> Response:
    """Browsers and feed readers ask for /favicon.ico whatever the page links; answer with the icon."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


def init_web(app: Flask) -> None:
    """Before the blueprints register: their rules' `<int:…>` take the converter above."""
    app.url_map.converters["int"] = IdConverter
    if not request_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        request_log.addHandler(handler)
        request_log.setLevel(logging.INFO)
        request_log.propagate = False
    app.before_request(_start_timer)
    app.after_request(_no_store)
    app.after_request(_vary_by_htmx)
    app.before_request(_refuse_nul)
    app.after_request(_log_request)
    app.add_template_filter(remote_images.hold_remote_images, "hold_remote_images")
    app.register_error_handler(HTTPException, _handle_http_error)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
