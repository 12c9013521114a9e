"""Admin: organizations. Add and rename them, switch ticket sharing, add and remove members."""

from flask import abort, render_template
from flask_babel import gettext

from console.admin import bp, done
from console.admin.forms import MemberForm, NameForm, SwitchForm
from shared.core.extensions import db
from shared.models import Customer, Organization
from shared.people import organizations
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show


def _list_page(form: NameForm, status: int = 200):
    rows = organizations.with_counts()
    return render_template("console/admin/organizations.html", form=form, rows=rows), status


@bp.get("/organizations")
def organizations_list():
    return _list_page(NameForm(formdata=None))


@bp.post("/organizations")
def organization_create():
    form = NameForm()
    if form.validate_on_submit():
        outcome = commit_or_show(lambda: organizations.create_organization(form.name.data, actor=actor()), form=form)
        if outcome.ok:
            organization = outcome.value
            said = gettext("%(name)s is added.", name=organization.name)
            return done(said, "console.admin.organization_show", organization_id=organization.id)
    return _list_page(form, 422)


def _find(organization_id: int) -> Organization:
    return db.session.get(Organization, organization_id) or abort(404)


def _show_page(organization: Organization, name_form=None, member_form=None, status: int = 200):
    return render_template(
        "console/admin/organization.html",
        organization=organization,
        name_form=name_form or NameForm(formdata=None, name=organization.name),
        member_form=member_form or MemberForm(formdata=None),
        members=organizations.members(organization),
    ), status


@bp.get("/organizations/<int:organization_id>")
def organization_show(organization_id: int):
    return _show_page(_find(organization_id))


@bp.post("/organizations/<int:organization_id>/name")
def organization_rename(organization_id: int):
    organization = _find(organization_id)
    form = NameForm()
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: organizations.rename_organization(organization, form.name.data, actor=actor()), form=form
        )
        if outcome.ok:
            return done(gettext("Changes saved."), "console.admin.organization_show", organization_id=organization_id)
    return _show_page(organization, name_form=form, status=422)


@bp.post("/organizations/<int:organization_id>/sharing")
def organization_sharing(organization_id: int):
    """The switch: htmx gets the switch back; a plain form post, the page it was on."""
    organization = _find(organization_id)
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    organizations.set_sharing(organization, form.on, actor=actor())
    db.session.commit()
    if is_fragment_request():
        return render_template("console/admin/_sharing_switch.html", organization=organization)
    if form.on:
        said = gettext("%(name)s's members now see each other's tickets.", name=organization.name)
    else:
        said = gettext("%(name)s's members now see only their own tickets.", name=organization.name)
    if form.back.data == "show":
        return done(said, "console.admin.organization_show", organization_id=organization_id)
    return done(said, "console.admin.organizations_list")


@bp.post("/organizations/<int:organization_id>/members")
def organization_member_add(organization_id: int):
    organization = _find(organization_id)
    form = MemberForm()
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: organizations.add_member(organization, form.email.data, actor=actor()), form=form
        )
        if outcome.ok:
            customer = outcome.value
            said = gettext("%(name)s is now a member.", name=customer.display_name)
            return done(said, "console.admin.organization_show", organization_id=organization_id)
    return _show_page(organization, member_form=form, status=422)


@bp.post("/organizations/<int:organization_id>/members/<int:customer_id>/remove")
def organization_member_remove(organization_id: int, customer_id: int):
    organization = _find(organization_id)
    customer = db.session.get(Customer, customer_id) or abort(404)
    organizations.remove_member(organization, customer, actor=actor())
    db.session.commit()
    said = gettext("%(name)s is no longer a member.", name=customer.display_name)
    return done(said, "console.admin.organization_show", organization_id=organization_id)
