"""The console's admin area over HTTP for the desk's records: customers, organizations, departments,
products and the activity log, each action with its mail, its audit entry and its errors."""

import re

import pytest
from sqlalchemy import func, select

from shared.core.errors import HistoryError
from shared.models import AuditEvent, Department, Organization, Product, Ticket
from shared.people import accounts
from shared.tickets import agents, conversation
from tests.conftest import PASSWORD
from tests.console.admin.adminkit import audit_actions, flashed, mailed_link, page_text

NEW_PASSWORD = "a fresh agent passphrase"


# Customers ---------------------------------------------------------------------------------


def test_customers_are_searched_by_name_address_or_organization(client, as_admin, make_customer, make_ticket):
    dev = make_customer("dev@northside.example", name="Dev Patel", organization="Northside Barbers")
    make_customer("emma@example.com", name="Emma Schultz")
    make_ticket(dev)
    make_ticket(dev)
    text = page_text(client.get("/console/admin/customers?q=northside"))
    assert "Dev Patel" in text and "Emma Schultz" not in text and "2 tickets" in text
    assert "1 customer matches “northside”" in text
    fragment = client.get("/console/admin/customers?q=EMMA", headers={"HX-Request": "true"})
    assert "Emma Schultz" in page_text(fragment) and "Dev Patel" not in page_text(fragment)
    assert '<div id="customer-list"' in page_text(fragment) and "<html" not in page_text(fragment)
    assert "No customer matches" in page_text(client.get("/console/admin/customers?q=%25"))


def test_the_customer_list_pages(client, as_admin, db):
    for n in range(32):
        accounts.create_customer(f"c{n:02d}@example.com", name=f"Customer {n:02d}")
    db.session.commit()
    first = page_text(client.get("/console/admin/customers"))
    assert "32 customers" in first and "Customer 29" in first and "Customer 30" not in first
    assert "Page 1 of 2" in first
    assert "Customer 31" in page_text(client.get("/console/admin/customers?page=2"))


def test_an_admin_edits_a_customers_name_and_organization(client, as_admin, customer, db):
    atlas = Organization(name="Atlas Bike Repair")
    db.session.add(atlas)
    db.session.commit()
    response = client.post(
        f"/console/admin/customers/{customer.id}", data={"name": "Alice Archer-Smith", "organization": atlas.id}
    )
    assert "Changes saved." in flashed(client, response)
    assert customer.name == "Alice Archer-Smith" and customer.organization is atlas
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert event.action == "customer.updated" and event.data["changes"] == {
        "name": ["Alice Archer", "Alice Archer-Smith"],
        "organization": [None, "Atlas Bike Repair"],
    }
    bad = client.post(f"/console/admin/customers/{customer.id}", data={"name": "x" * 201, "organization": 0})
    assert bad.status_code == 422 and "x" * 201 in page_text(bad)
    assert client.get("/console/admin/customers/999").status_code == 404


def test_a_customer_added_by_hand_gets_a_link_to_the_portal(client, as_admin, outbox, db):
    response = client.post(
        "/console/admin/customers/new",
        data={"name": "Walk In", "email": "walkin@example.com", "organization": 0, "invite": "y"},
    )
    assert "Walk In is added. An email with a link to set a password is on its way." in flashed(client, response)
    [mail] = outbox()
    assert mail.to_addr == "walkin@example.com" and mail.template == "customer_invitation"
    link = mailed_link(mail)
    assert link.startswith("/portal/reset/")
    client.post("/console/logout")
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/portal/"
    assert audit_actions(db) == ["customer.created"]


def test_a_customer_can_be_added_without_mail_and_a_taken_address_is_refused(client, as_admin, customer, outbox):
    response = client.post(
        "/console/admin/customers/new", data={"name": "Quiet", "email": "quiet@example.com", "organization": 0}
    )
    assert response.status_code == 303 and outbox() == []
    again = client.post(
        "/console/admin/customers/new", data={"name": "Alice Two", "email": customer.email, "organization": 0}
    )
    text = page_text(again)
    assert again.status_code == 422 and "A customer with this address already exists." in text
    assert 'value="Alice Two"' in text


# Organizations -----------------------------------------------------------------------------


def test_sharing_lets_members_see_each_others_tickets(client, as_admin, make_customer, make_ticket, app, db):
    dev = make_customer("dev@atlas.example", name="Dev Patel", organization="Atlas")
    lily = make_customer("lily@atlas.example", name="Lily Evans", organization="Atlas")
    ticket = make_ticket(lily, subject="Lily's printer")
    atlas = dev.organization
    devs_browser = app.test_client()
    devs_browser.post("/portal/login", data={"email": dev.email, "password": PASSWORD})
    assert devs_browser.get(f"/portal/tickets/{ticket.number}").status_code == 404

    response = client.post(f"/console/admin/organizations/{atlas.id}/sharing", data={"state": "on"})
    assert response.headers["Location"] == "/console/admin/organizations"
    assert "Atlas's members now see each other's tickets." in flashed(client, response)
    assert atlas.sharing and devs_browser.get(f"/portal/tickets/{ticket.number}").status_code == 200

    switch = client.post(
        f"/console/admin/organizations/{atlas.id}/sharing", data={"state": "off"}, headers={"HX-Request": "true"}
    )
    assert switch.status_code == 200 and 'aria-checked="false"' in page_text(switch)
    assert page_text(switch).lstrip().startswith("<form") and not atlas.sharing
    assert devs_browser.get(f"/portal/tickets/{ticket.number}").status_code == 404
    assert audit_actions(db) == ["organization.sharing_on", "organization.sharing_off"]


def test_organizations_are_added_renamed_and_refused_twice(client, as_admin, db):
    response = client.post("/console/admin/organizations", data={"name": "  Greenleaf   Yoga "})
    assert "Greenleaf Yoga is added." in flashed(client, response)
    greenleaf = db.session.scalar(select(Organization).filter_by(name="Greenleaf Yoga"))
    taken = client.post("/console/admin/organizations", data={"name": "greenleaf yoga"})
    assert taken.status_code == 422 and "An organization with this name already exists." in page_text(taken)
    renamed = client.post(f"/console/admin/organizations/{greenleaf.id}/name", data={"name": "Greenleaf Studio"})
    assert "Changes saved." in flashed(client, renamed) and greenleaf.name == "Greenleaf Studio"
    empty = client.post(f"/console/admin/organizations/{greenleaf.id}/name", data={"name": ""})
    assert empty.status_code == 422 and "This field is required." in page_text(empty)
    assert audit_actions(db) == ["organization.created", "organization.renamed"]
    listing = page_text(client.get("/console/admin/organizations"))
    assert "Greenleaf Studio" in listing and "0 members" in listing


def test_members_are_added_by_address_and_removed(client, as_admin, customer, make_customer, db):
    atlas = Organization(name="Atlas")
    db.session.add(atlas)
    db.session.commit()
    url = f"/console/admin/organizations/{atlas.id}/members"
    response = client.post(url, data={"email": customer.email.upper()})
    assert "Alice Archer is now a member." in flashed(client, response) and customer.organization is atlas
    again = client.post(url, data={"email": customer.email})
    assert again.status_code == 422 and "Alice Archer is already a member." in page_text(again)
    unknown = client.post(url, data={"email": "ghost@example.com"})
    assert unknown.status_code == 422 and "No customer has this address." in page_text(unknown)
    assert "ghost@example.com" in page_text(unknown)
    page = page_text(client.get(f"/console/admin/organizations/{atlas.id}"))
    assert "Alice Archer" in page and "1 member" in page
    removed = client.post(f"{url}/{customer.id}/remove")
    assert "Alice Archer is no longer a member." in flashed(client, removed) and customer.organization is None
    assert audit_actions(db) == ["organization.member_added", "organization.member_removed"]


# Departments and products ------------------------------------------------------------------


def test_a_deactivated_department_leaves_the_portal_form_but_not_old_tickets(
    client, login_as, admin, customer, db, app
):
    login_as(admin)
    response = client.post("/console/admin/departments", data={"name": "Hardware"})
    assert "Hardware is added." in flashed(client, response)
    hardware = db.session.scalar(select(Department).filter_by(name="Hardware"))
    ticket = conversation.open_ticket(
        actor=customer, customer=customer, department=hardware, subject="Till", body="Dead"
    )
    db.session.commit()
    portal = app.test_client()
    portal.post("/portal/login", data={"email": customer.email, "password": PASSWORD})
    assert ">Hardware</option>" in page_text(portal.get("/portal/tickets/new"))

    response = client.post(f"/console/admin/departments/{hardware.id}/active", data={"state": "off"})
    assert "Hardware is no longer offered for new tickets." in flashed(client, response)
    assert ">Hardware</option>" not in page_text(portal.get("/portal/tickets/new"))
    forged = {"type": "question", "department": hardware.id, "subject": "Sneaky", "body": "x"}
    assert portal.post("/portal/tickets/new", data=forged).status_code == 422
    assert db.session.scalar(select(func.count(Ticket.id))) == 1
    assert "Hardware" in page_text(client.get(f"/console/tickets/{ticket.number}"))
    assert ticket.department is hardware

    response = client.post(f"/console/admin/departments/{hardware.id}/active", data={"state": "on", "back": "show"})
    assert response.headers["Location"] == f"/console/admin/departments/{hardware.id}"
    assert ">Hardware</option>" in page_text(portal.get("/portal/tickets/new"))
    assert audit_actions(db) == ["department.created", "department.deactivated", "department.reactivated"]


def test_department_names_are_unique_and_renamed_in_place(client, as_admin, department, db):
    taken = client.post("/console/admin/departments", data={"name": "GENERAL"})
    assert taken.status_code == 422
    assert re.search(r'field__error" id="name-error">A department with this name already exists.', page_text(taken))
    assert 'value="GENERAL"' in page_text(taken)
    response = client.post(f"/console/admin/departments/{department.id}", data={"name": "General enquiries"})
    assert "Changes saved." in flashed(client, response) and department.name == "General enquiries"
    same = client.post(f"/console/admin/departments/{department.id}", data={"name": "general ENQUIRIES"})
    assert same.status_code == 303 and department.name == "general ENQUIRIES"  # its own name is no clash
    [event, _] = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert event.data["changes"] == {"name": ["General", "General enquiries"]}


def test_the_last_active_department_stays(client, as_admin, department, db):
    others = db.session.scalars(select(Department).where(Department.id != department.id)).all()
    for other in others:
        other.is_active = False
    db.session.commit()
    response = client.post(f"/console/admin/departments/{department.id}/active", data={"state": "off"})
    assert "Keep at least one active department" in flashed(client, response) and department.is_active
    row = client.post(
        f"/console/admin/departments/{department.id}/active", data={"state": "off"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 422 and "Keep at least one active department" in page_text(row)
    assert page_text(row).lstrip().startswith("<tr")


def test_products_are_added_with_a_department_renamed_and_retired(
    client, login_as, admin, customer, department, db, app
):
    login_as(admin)
    response = client.post("/console/admin/products", data={"name": "Card reader", "department": department.id})
    assert "Card reader is added." in flashed(client, response)
    reader = db.session.scalar(select(Product).filter_by(name="Card reader"))
    assert reader.department is department and reader.is_active
    taken = client.post("/console/admin/products", data={"name": "card READER", "department": 0})
    assert taken.status_code == 422 and "A product with this name already exists." in page_text(taken)
    response = client.post(f"/console/admin/products/{reader.id}", data={"name": "Card reader T2", "department": 0})
    assert response.status_code == 303 and reader.name == "Card reader T2" and reader.department is None

    portal = app.test_client()
    portal.post("/portal/login", data={"email": customer.email, "password": PASSWORD})
    assert ">Card reader T2</option>" in page_text(portal.get("/portal/tickets/new"))
    row = client.post(
        f"/console/admin/products/{reader.id}/active", data={"state": "off"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200 and "Reactivate" in page_text(row) and not reader.is_active
    assert ">Card reader T2</option>" not in page_text(portal.get("/portal/tickets/new"))
    assert audit_actions(db) == ["product.created", "product.updated", "product.deactivated"]


def test_the_catalog_lists_count_what_uses_each_entry(client, as_admin, customer, department, make_ticket, db):
    db.session.add(Product(name="Booking app", department=department))
    db.session.commit()
    make_ticket(customer)
    departments = page_text(client.get("/console/admin/departments"))
    assert "General" in departments and "1 product" in departments and "1 ticket" in departments
    products = page_text(client.get("/console/admin/products"))
    assert "Booking app" in products and "0 tickets" in products


# The activity log --------------------------------------------------------------------------


def test_the_activity_log_tells_who_did_what(client, as_admin, agent, db):
    client.post(f"/console/admin/agents/{agent.id}/deactivate")
    client.post("/console/admin/departments", data={"name": "Billing desk"})
    dept = db.session.scalar(select(Department).filter_by(name="Billing desk"))
    client.post(f"/console/admin/departments/{dept.id}", data={"name": "Accounts"})
    text = page_text(client.get("/console/admin/activity"))
    assert "Ada Admin</strong> deactivated Bob Baker &lt;bob@desk.example&gt;" in text
    assert "renamed" not in text and "edited the department Billing desk" in text
    assert "<del>Billing desk</del> → <ins>Accounts</ins>" in text
    assert text.index("edited the department") < text.index("deactivated Bob Baker")  # newest first


def test_the_activity_log_is_append_only(db, admin):
    agents.set_admin(admin, True, actor=admin)  # no change, no entry
    event = AuditEvent(action="agent.reactivated", subject="x", actor=admin, data={})
    db.session.add(event)
    db.session.commit()
    event.subject = "rewritten"
    with pytest.raises(HistoryError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(HistoryError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


def test_unknown_records_are_404(client, as_admin):
    for path in ("/console/admin/organizations/99", "/console/admin/departments/99", "/console/admin/products/99"):
        assert client.get(path).status_code == 404
    assert client.post("/console/admin/agents/99/deactivate").status_code == 404
