"""Admin: departments and products. Add, rename, retire from new tickets and bring back.

Retired ones vanish from the portal's new-ticket form; tickets that have them keep them.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext

from console.admin import assignment, bp, done
from console.admin.forms import NameForm, ProductForm, SwitchForm
from shared.core.extensions import db
from shared.models import Department, Product
from shared.records import catalog
from shared.web.forms import catalog_choices
from shared.web.htmx import is_fragment_request
from shared.web.views import actor, commit_or_show


def _active_switch(item: Department | Product, verb, kind: str, rows):
    """The retire/bring-back button: htmx gets the item's row back, a plain form post a page."""
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    switched = commit_or_show(lambda: verb(item, form.on, actor=actor()))
    message = None if switched.ok else ("error", switched.error.message)
    if is_fragment_request():
        counts = next(row[1:] for row in rows() if row[0].id == item.id)
        row = render_template("console/admin/_catalog_row.html", kind=kind, item=item, counts=counts, message=message)
        return row, 422 if message else 200
    if message:
        flash(message[1], "error")
    elif form.on:
        flash(gettext("%(name)s is offered again.", name=item.name), "success")
    else:
        flash(gettext("%(name)s is no longer offered for new tickets.", name=item.name), "success")
    if form.back.data == "show":
        return redirect(url_for(f"console.admin.{kind}_edit", **{f"{kind}_id": item.id}), 303)
    return redirect(url_for(f"console.admin.{kind}s_list"), 303)


# --- Departments -------------------------------------------------------------------------


def _departments_page(form: NameForm, status: int = 200):
    return render_template("console/admin/departments.html", form=form, rows=catalog.all_departments()), status


@bp.get("/departments")
def departments_list():
    return _departments_page(NameForm(formdata=None))


@bp.post("/departments")
def department_create():
    form = NameForm()
    if form.validate_on_submit():
        outcome = commit_or_show(lambda: catalog.create_department(form.name.data, actor=actor()), form=form)
        if outcome.ok:
            department = outcome.value
            return done(gettext("%(name)s is added.", name=department.name), "console.admin.departments_list")
    return _departments_page(form, 422)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int):
    department = db.session.get(Department, department_id) or abort(404)
    form = NameForm(name=department.name)
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: catalog.update_department(department, name=form.name.data, actor=actor()), form=form
        )
        if outcome.ok:
            return done(gettext("Changes saved."), "console.admin.departments_list")
    page = render_template(
        "console/admin/catalog_item.html",
        kind="department",
        item=department,
        form=form,
        assign_form=assignment.department_form(department),
        agents=assignment.offered_agents(department),
    )
    return page, 422 if form.errors else 200


@bp.post("/departments/<int:department_id>/active")
def department_active(department_id: int):
    department = db.session.get(Department, department_id) or abort(404)
    return _active_switch(department, catalog.set_department_active, "department", catalog.all_departments)


# --- Products ----------------------------------------------------------------------------


def _with_departments(form: ProductForm, current: Department | None = None) -> ProductForm:
    """Active departments to choose from, and the product's own even if it is retired."""
    offered = catalog.departments()
    if current is not None and current not in offered:
        offered.append(current)
    form.department.choices = catalog_choices("departments", (0, gettext("— None —")), items=offered)
    return form


def _department(form: ProductForm) -> Department | None:
    return db.session.get(Department, form.department.data) if form.department.data else None


def _products_page(form: ProductForm, status: int = 200):
    rows = catalog.all_products()
    return render_template("console/admin/products.html", form=_with_departments(form), rows=rows), status


@bp.get("/products")
def products_list():
    return _products_page(ProductForm(formdata=None))


@bp.post("/products")
def product_create():
    form = _with_departments(ProductForm())
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: catalog.create_product(form.name.data, department=_department(form), actor=actor()), form=form
        )
        if outcome.ok:
            product = outcome.value
            return done(gettext("%(name)s is added.", name=product.name), "console.admin.products_list")
    return _products_page(form, 422)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
def product_edit(product_id: int):
    product = db.session.get(Product, product_id) or abort(404)
    form = _with_departments(ProductForm(name=product.name, department=product.department_id or 0), product.department)
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: catalog.update_product(product, name=form.name.data, department=_department(form), actor=actor()),
            form=form,
        )
        if outcome.ok:
            return done(gettext("Changes saved."), "console.admin.products_list")
    page = render_template("console/admin/catalog_item.html", kind="product", item=product, form=form)
    return page, 422 if form.errors else 200


@bp.post("/products/<int:product_id>/active")
def product_active(product_id: int):
    product = db.session.get(Product, product_id) or abort(404)
    return _active_switch(product, catalog.set_product_active, "product", catalog.all_products)
