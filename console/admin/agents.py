"""Admin: the team. Invite an agent, resend the invitation, the admin flag, deactivate and reactivate.

The row actions answer htmx with the agent's row alone and a plain form post with the page.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext

from console.admin import bp, done
from console.admin.forms import InviteAgentForm, SwitchForm
from shared.core.extensions import db
from shared.core.urls import external_url
from shared.models import Agent
from shared.tickets import agents
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show


def _set_password_url(token: str) -> str:
    return external_url("console.reset_confirm", token=token)


def _facts() -> dict:
    """What the rows show besides the agent: open tickets and when the invitation went out."""
    return {"open_counts": agents.open_ticket_counts(), "invited_at": agents.invitations_sent()}


@bp.get("/agents")
def agents_list():
    return _page(InviteAgentForm(formdata=None))


def _page(form: InviteAgentForm, status: int = 200):
    return render_template("console/admin/agents.html", form=form, team=agents.team(), **_facts()), status


@bp.post("/agents")
def agent_invite():
    form = InviteAgentForm()
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: agents.invite_agent(
                form.email.data,
                name=form.name.data,
                is_admin=form.is_admin.data,
                actor=actor(),
                set_url_for=_set_password_url,
            ),
            form=form,
        )
        if outcome.ok:
            agent = outcome.value
            return done(gettext("Invitation sent to %(email)s.", email=agent.email), "console.admin.agents_list")
    return _page(form, 422)


def _on_agent(agent_id: int, change: Callable[[Agent], str]):
    """Apply one change to an agent; `change` returns what to tell the admin."""
    agent = db.session.get(Agent, agent_id) or abort(404)
    changed = commit_or_show(lambda: change(agent))
    message, category = (changed.value, "success") if changed.ok else (changed.error.message, "error")
    if is_fragment_request():
        row = render_template("console/admin/_agent_row.html", agent=agent, message=(category, message), **_facts())
        return row, 422 if category == "error" else 200
    flash(message, category)
    return redirect(url_for("console.admin.agents_list"), 303)


@bp.post("/agents/<int:agent_id>/invitation")
def agent_invitation_resend(agent_id: int):
    def resend(agent: Agent) -> str:
        agents.resend_invitation(agent, actor=actor(), set_url_for=_set_password_url)
        return gettext("A new invitation is on its way to %(email)s.", email=agent.email)

    return _on_agent(agent_id, resend)


@bp.post("/agents/<int:agent_id>/deactivate")
def agent_deactivate(agent_id: int):
    def deactivate(agent: Agent) -> str:
        unassigned = agents.deactivate_agent(agent, actor=actor())
        said = gettext("%(name)s is deactivated.", name=agent.display_name)
        if unassigned:
            said += " " + ngettext(
                "%(num)d open ticket is unassigned.", "%(num)d open tickets are unassigned.", unassigned
            )
        return said

    return _on_agent(agent_id, deactivate)


@bp.post("/agents/<int:agent_id>/reactivate")
def agent_reactivate(agent_id: int):
    def reactivate(agent: Agent) -> str:
        agents.reactivate_agent(agent, actor=actor())
        return gettext("%(name)s can log in again.", name=agent.display_name)

    return _on_agent(agent_id, reactivate)


@bp.post("/agents/<int:agent_id>/admin")
def agent_admin(agent_id: int):
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)

    def set_flag(agent: Agent) -> str:
        agents.set_admin(agent, form.on, actor=actor())
        if form.on:
            return gettext("%(name)s is now an admin.", name=agent.display_name)
        return gettext("%(name)s is no longer an admin.", name=agent.display_name)

    return _on_agent(agent_id, set_flag)
