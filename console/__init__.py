"""The agent console: queues, the ticket workbench and administration."""

from flask import Blueprint

from shared.models import Agent
from shared.web import markdown_preview
from shared.web.auth import guard

bp = Blueprint("console", __name__, url_prefix="/console")
OPEN_ENDPOINTS = {"console.login", "console.reset_request", "console.reset_confirm"}


@bp.before_request
def _only_agents():
    return guard(Agent, "console.login", OPEN_ENDPOINTS)


from console import (  # noqa: E402,F401  (views register on bp)
    admin,
    auth,
    away,
    bounces,
    canned,
    held_mail,
    links,
    new_ticket,
    participants,
    profile,
    queues,
    saved_views,
    search,
    tickets,
    time_report,
)

markdown_preview.register(bp)
