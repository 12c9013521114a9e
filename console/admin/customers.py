"""Admin: customers. A searchable list (htmx swaps the results as the admin types), adding and editing."""

from flask import abort, render_template, request
from flask_babel import gettext

from console.admin import bp, done
from console.admin.forms import CustomerForm, NewCustomerForm
from shared.core import bounds
from shared.core.extensions import db
from shared.core.urls import external_url
from shared.models import Customer, Organization
from shared.people import customers
from shared.web.forms import catalog_choices
from shared.web.views import actor, commit_or_show, render


@bp.get("/customers")
def customers_list():
    query = request.args.get("q", "")
    page = customers.search(query, page=bounds.page(request.args.get("page")))
    return render("console/admin/customers.html", "console/admin/_customer_list.html", page=page, query=query)


def _with_organizations(form: CustomerForm) -> CustomerForm:
    form.organization.choices = catalog_choices("organizations", (0, gettext("— None —")))
    return form


def _organization(form: CustomerForm) -> Organization | None:
    return db.session.get(Organization, form.organization.data) if form.organization.data else None


@bp.route("/customers/new", methods=["GET", "POST"])
def customer_new():
    form = _with_organizations(NewCustomerForm())
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: customers.add_customer(
                form.email.data,
                name=form.name.data,
                organization=_organization(form),
                invite=form.invite.data,
                actor=actor(),
                set_url_for=lambda token: external_url("portal.reset_confirm", token=token),
            ),
            form=form,
        )
        if outcome.ok:
            customer = outcome.value
            said = gettext("%(name)s is added.", name=customer.display_name)
            if form.invite.data:
                said += " " + gettext("An email with a link to set a password is on its way.")
            return done(said, "console.admin.customers_list", q=customer.email)
    return render_template("console/admin/customer_form.html", form=form, customer=None), 422 if form.errors else 200


@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
def customer_edit(customer_id: int):
    customer = db.session.get(Customer, customer_id) or abort(404)
    form = CustomerForm(name=customer.name, organization=customer.organization_id or 0)
    _with_organizations(form)
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: customers.update_customer(
                customer, name=form.name.data, organization=_organization(form), actor=actor()
            ),
            form=form,
        )
        if outcome.ok:
            return done(gettext("Changes saved."), "console.admin.customer_edit", customer_id=customer.id)
    status = 422 if form.errors else 200
    return render_template("console/admin/customer_form.html", form=form, customer=customer), status
