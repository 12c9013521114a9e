"""The view kit (shared/web/views.py): the transaction around a verb, the acting account, the ticket
a view may load, and the page-or-fragment answer with its `Vary: HX-Request`."""

import re
from pathlib import Path

import pytest
from flask import get_flashed_messages
from flask_login import login_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import StringField

from shared.core.errors import DomainError
from shared.models import Agent, Department
from shared.records import catalog
from shared.web.views import actor, commit_or_show, render, ticket_or_404

HTMX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parents[3]


class NameForm(FlaskForm):
    name = StringField()


def validated() -> NameForm:
    """A form as a view has it when it calls the verb: posted and validated."""
    form = NameForm()
    assert form.validate_on_submit()
    return form


def department_named(db, name: str) -> Department | None:
    return db.session.query(Department).filter_by(name=name).one_or_none()


# --- commit_or_show ---------------------------------------------------------------------


def test_a_verb_that_goes_through_is_committed_and_its_value_handed_back(app, db, agent):
    with app.test_request_context():
        done = commit_or_show(lambda: catalog.create_department("Billing", actor=agent))
        assert done.ok and done.error is None and done.value.name == "Billing"
    db.session.rollback()  # what was committed stays
    assert department_named(db, "Billing") is not None


def refusing_verb(db, field: str | None):
    def verb():
        db.session.add(Department(name="Half done", is_active=True))
        db.session.flush()
        raise DomainError("Not like that.", field=field)

    return verb


def test_a_refusal_rolls_back_all_the_verb_did_and_shows_beside_its_field(app, db):
    with app.test_request_context(method="POST"):
        form = validated()
        done = commit_or_show(refusing_verb(db, "name"), form=form)
        assert not done.ok and done.value is None and done.error.message == "Not like that."
        assert form.name.errors == ["Not like that."] and form.form_errors == []
        assert get_flashed_messages() == []
    assert department_named(db, "Half done") is None


def test_a_refusal_naming_no_field_of_the_form_shows_above_it(app, db):
    with app.test_request_context(method="POST"):
        form = validated()
        commit_or_show(refusing_verb(db, "elsewhere"), form=form)
        assert form.form_errors == ["Not like that."] and form.name.errors == []


def test_a_refusal_follows_a_renamed_field(app, db):
    with app.test_request_context(method="POST"):
        form = validated()
        commit_or_show(refusing_verb(db, "title"), form=form, renamed={"title": "name"})
        assert form.name.errors == ["Not like that."]


def test_a_refusal_without_a_form_can_be_flashed_or_left_to_the_view(app, db):
    with app.test_request_context(method="POST"):
        assert not commit_or_show(refusing_verb(db, None), flash_error=True).ok
        assert get_flashed_messages(with_categories=True) == [("error", "Not like that.")]
    with app.test_request_context(method="POST"):
        left = commit_or_show(refusing_verb(db, None))
        assert left.error.message == "Not like that." and get_flashed_messages() == []


def test_what_is_not_a_refusal_is_not_swallowed(app, db):
    def broken():
        raise RuntimeError("a bug")

    with app.test_request_context(), pytest.raises(RuntimeError):
        commit_or_show(broken)


# --- actor and ticket_or_404 ----------------------------------------------------------


def test_the_actor_is_the_logged_in_account_itself_not_a_proxy(app, db, agent):
    with app.test_request_context():
        login_user(agent)
        assert type(actor()) is Agent and actor() is agent


def test_ticket_or_404_loads_only_what_the_account_may_see(app, db, make_customer, make_ticket):
    owner, stranger = make_customer(), make_customer()
    ticket = make_ticket(owner)
    with app.test_request_context():
        login_user(owner)
        assert ticket_or_404(ticket.number) is ticket
        with pytest.raises(NotFound):
            ticket_or_404(ticket.number + 1000)
    with app.test_request_context():
        login_user(stranger)
        with pytest.raises(NotFound):
            ticket_or_404(ticket.number)


# --- render and Vary: HX-Request ------------------------------------------------------


def test_render_answers_the_page_or_the_fragment_and_both_vary_on_htmx(app, db):
    for headers, expected in (({}, "page"), (HTMX, "fragment"), ({**HTMX, "HX-Boosted": "true"}, "page")):
        with app.test_request_context(headers=headers):
            response = render(
                "errors/error.html", "errors/_message.html", status=404, headers={"X-Kit": "1"}, error=NotFound()
            )
            assert response.status_code == 404 and response.headers["X-Kit"] == "1"
            assert "HX-Request" in response.vary
            assert ("<html" in response.get_data(as_text=True)) == (expected == "page")


@pytest.mark.parametrize(
    "address",
    ["/console/", "/console/search?q=printer", "/console/admin/customers", "/console/admin/mail/inbound"],
)
def test_a_full_console_page_that_has_a_fragment_says_vary_too(client, login_as, make_agent, address):
    login_as(make_agent(is_admin=True))
    page = client.get(address)
    fragment = client.get(address, headers=HTMX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_the_portal_list_page_says_vary_too(client, login_as, customer):
    login_as(customer)
    page = client.get("/portal/tickets")
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]


def test_a_page_a_view_built_by_hand_for_htmx_or_not_says_vary_too(client, login_as, agent, customer, make_ticket):
    """The ticket page's reply answers with its region or the whole page: the page carries Vary too."""
    ticket = make_ticket(customer)
    login_as(agent)
    refused = client.post(f"/console/tickets/{ticket.number}/reply", data={"visibility": "public", "body": ""})
    assert refused.status_code == 422 and "<html" in refused.get_data(as_text=True)
    assert "HX-Request" in refused.headers["Vary"]


def test_an_error_page_says_vary_as_its_fragment_does(client, login_as, agent):
    login_as(agent)
    page, fragment = client.get("/console/tickets/999999"), client.get("/console/tickets/999999", headers=HTMX)
    assert page.status_code == fragment.status_code == 404
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


# --- The kit is the one way ---------------------------------------------------------------


def view_modules() -> list[Path]:
    return sorted([*(ROOT / "portal").rglob("*.py"), *(ROOT / "console").rglob("*.py")])


def test_no_view_writes_the_transaction_by_hand():
    for path in view_modules():
        text = path.read_text()
        by_hand = re.search(r"except DomainError[^\n]*:\n\s+db\.session\.rollback\(\)", text)
        assert by_hand is None, f"{path.relative_to(ROOT)}: use shared.web.views.commit_or_show"
        assert "_get_current_object()" not in text, f"{path.relative_to(ROOT)}: use shared.web.views.actor"


def test_console_modules_import_no_private_helper_of_another():
    for path in view_modules():
        for line in path.read_text().splitlines():
            found = re.match(r"from (console|portal)(\.\w+)* import (.*)", line)
            private = [name for name in (found.group(3).split(", ") if found else []) if name.startswith("_")]
            assert not private, f"{path.relative_to(ROOT)} imports {private}: give them a public module"
