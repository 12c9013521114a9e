"""The composition root: the only module that knows the portal, the console and shared."""

import os
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from whitenoise import WhiteNoise

from shared import cli
from shared.core import database, logs
from shared.core.config import PROJECT_ROOT, load_config
from shared.core.extensions import init_extensions
from shared.queues import counters
from shared.records import history
from shared.web import auth, formatting, htmx, request_limits
from shared.web.security_headers import SecurityHeaders


def create_app(config: dict[str, Any] | None = None) -> Flask:
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get(
        "DESKBELL_INSTANCE_PATH", str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, config)
    logs.init_logging(app)
    os.makedirs(app.instance_path, exist_ok=True)

    database.install_pragmas()
    history.install_guard()
    counters.install()
    init_extensions(app)
    request_limits.init_limits(app)
    auth.init_auth(app)
    htmx.init_web(app)
    formatting.init_formatting(app)
    cli.init_cli(app)

    from console import bp as console_bp
    from portal import bp as portal_bp

    app.register_blueprint(portal_bp)
    app.register_blueprint(console_bp)
    app.add_url_rule("/", "index", lambda: redirect(url_for("portal.tickets_list")))
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(PROJECT_ROOT / "static"), prefix="static/")
    # Outside WhiteNoise, so static files get the headers too; inside ProxyFix, so HTTPS is the client's.
    app.wsgi_app = SecurityHeaders(
        app.wsgi_app,
        https_base=urlsplit(app.config["BASE_URL"]).scheme == "https",
        hsts_seconds=int(app.config["HSTS_SECONDS"]),
    )
    if proxies := app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    return app
