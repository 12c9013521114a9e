"""Admin: automatic assignment. A department's strategy and agents (a card on its page), and an
agent's away flag, open-ticket cap and departments (their own page, linked from the team list).

Both forms work as plain posts (303 to the page, with a message) and with htmx (the card comes
back in place); a refusal shows beside its field with what was typed kept.
"""

from flask import abort, render_template
from flask_babel import gettext

from console.admin import bp, done
from console.admin.forms import AgentAssignmentForm, DepartmentAssignmentForm, NameForm
from shared.core.extensions import db
from shared.models import Agent, Department
from shared.records import catalog
from shared.tickets import assignment
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show


def department_form(department: Department, formdata=None) -> DepartmentAssignmentForm:
    """The department's card, on its current settings unless a post overrides them."""
    members = [agent.id for agent in department.agents]
    return DepartmentAssignmentForm(formdata=formdata, strategy=department.assignment_strategy, agents=members)


def offered_agents(department: Department) -> list[Agent]:
    """The agents the card lists: the active ones, and deactivated members so saving keeps them."""
    retired = [agent for agent in department.agents if not agent.is_active]
    return catalog.active_agents() + retired


def _chosen(model, ids: list[int] | None) -> list:
    return [item for item in (db.session.get(model, i) for i in ids or []) if item is not None]


@bp.post("/departments/<int:department_id>/assignment")
def department_assignment(department_id: int):
    department = db.session.get(Department, department_id) or abort(404)
    form = DepartmentAssignmentForm()
    saved = False
    if form.validate_on_submit():

        def update() -> None:
            members = _chosen(Agent, form.agents.data)
            assignment.update_department(department, strategy=form.strategy.data, members=members, actor=actor())

        if commit_or_show(update, form=form).ok:
            if not is_fragment_request():
                return done(gettext("Assignment saved."), "console.admin.department_edit", department_id=department.id)
            form, saved = department_form(department), True
    context = {"item": department, "assign_form": form, "agents": offered_agents(department), "saved": saved}
    status = 422 if form.errors else 200
    if is_fragment_request():
        return render_template("console/admin/_department_assignment.html", **context), status
    name_form = NameForm(formdata=None, name=department.name)
    return render_template("console/admin/catalog_item.html", kind="department", form=name_form, **context), status


@bp.route("/agents/<int:agent_id>/assignment", methods=["GET", "POST"])
def agent_assignment(agent_id: int):
    agent = db.session.get(Agent, agent_id) or abort(404)
    current = [d.id for d in assignment.departments_of(agent)]
    cap = "" if agent.open_ticket_cap is None else str(agent.open_ticket_cap)
    form = AgentAssignmentForm(away=agent.is_away, cap=cap, departments=current)
    if form.validate_on_submit():

        def update() -> None:
            departments = _chosen(Department, form.departments.data)
            assignment.update_agent(
                agent, away=form.away.data, cap_text=form.cap.data, departments=departments, actor=actor()
            )

        if commit_or_show(update, form=form).ok:
            said = gettext("Assignment settings saved for %(name)s.", name=agent.display_name)
            return done(said, "console.admin.agents_list")
    departments = [d for d, *_ in catalog.all_departments() if d.is_active or d.id in current]
    page = render_template("console/admin/agent_assignment.html", agent=agent, form=form, departments=departments)
    return page, 422 if form.errors else 200
