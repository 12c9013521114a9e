"""Login sessions live on the server: a copied cookie is worth nothing once its session ends.

Everything goes through the real app: two clients stand for two browsers (or a thief's copy of the
cookie), and each assertion is what a person at that browser would meet next."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.models import LoginSession, utcnow
from tests.conftest import PASSWORD

NEW_PASSWORD = "a much longer secret"
AREAS = ("portal", "console")


@pytest.fixture
def account_for(make_customer, make_agent):
    def make(area: str):
        return make_customer("carol@example.com") if area == "portal" else make_agent("dan@desk.example")

    return make


def home(area: str) -> str:
    return "/portal/tickets" if area == "portal" else "/console/"


def logged_in(client, area: str) -> bool:
    response = client.get(home(area))
    if response.status_code == 302:
        assert response.headers["Location"].startswith(f"/{area}/login")
        return False
    assert response.status_code == 200
    return True


def second_browser(app, account, area: str, user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"):
    browser = app.test_client()
    response = browser.post(
        f"/{area}/login",
        data={"email": account.email, "password": PASSWORD},
        headers={"User-Agent": user_agent},
    )
    assert response.status_code == 303
    return browser


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh browser holding nothing but a copy of `cookie`."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def rows(db) -> list[LoginSession]:
    return list(db.session.scalars(select(LoginSession).order_by(LoginSession.created_at)))


@pytest.mark.parametrize("area", AREAS)
def test_a_cookie_replayed_after_logout_gets_the_login_page(app, client, db, login_as, account_for, area):
    login_as(account_for(area))
    copied = cookie_of(client)
    assert logged_in(replay(app, copied), area)
    assert client.post(f"/{area}/logout").status_code == 303
    assert not logged_in(replay(app, copied), area)
    [row] = rows(db)
    assert row.ended_at is not None


@pytest.mark.parametrize("area", AREAS)
def test_a_new_password_ends_the_other_sessions_and_retires_reset_links(
    app, client, db, login_as, account_for, outbox, area
):
    account = account_for(area)
    other = second_browser(app, account, area)
    app.test_client().post(f"/{area}/reset", data={"email": account.email})
    link = re.search(r"http://desk\.test(/\S+/reset/\S+)", outbox()[-1].body_text).group(1)
    login_as(account)
    before = cookie_of(client)
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = client.post(f"/{area}/profile/password", data=data)
    assert response.status_code == 303 and response.headers["Location"] == f"/{area}/profile"
    assert logged_in(client, area)  # the person who changed it stays in, with a fresh session
    assert not logged_in(other, area)
    assert not logged_in(replay(app, before), area)
    retired = app.test_client().get(link)
    assert retired.status_code == 303 and retired.headers["Location"] == f"/{area}/reset"
    assert len([row for row in rows(db) if row.ended_at is None]) == 1


@pytest.mark.parametrize("area", AREAS)
def test_taking_the_address_back_with_a_reset_link_ends_every_other_session(app, db, account_for, outbox, area):
    account = account_for(area)
    intruder = second_browser(app, account, area)
    owner = app.test_client()
    owner.post(f"/{area}/reset", data={"email": account.email})
    link = re.search(r"http://desk\.test(/\S+/reset/\S+)", outbox()[-1].body_text).group(1)
    response = owner.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert logged_in(owner, area)
    assert not logged_in(intruder, area)


def test_deactivating_an_agent_ends_their_sessions_at_once(app, client, db, make_agent, login_as):
    admin = make_agent("ada@desk.example", is_admin=True)
    dan = make_agent("dan@desk.example")
    dans_browser = second_browser(app, dan, "console")
    assert logged_in(dans_browser, "console")
    login_as(admin)
    assert client.post(f"/console/admin/agents/{dan.id}/deactivate").status_code in (200, 303)
    assert not logged_in(dans_browser, "console")
    assert all(row.ended_at is not None for row in rows(db) if row.agent_id == dan.id)


@pytest.mark.parametrize("area", AREAS)
def test_an_idle_or_too_old_session_ends(app, client, db, login_as, account_for, area):
    account = account_for(area)
    login_as(account)
    row = rows(db)[-1]
    row.last_seen_at = utcnow() - timedelta(hours=app.config["SESSION_IDLE_HOURS"], minutes=1)
    db.session.commit()
    assert not logged_in(client, area)
    login_as(account)
    row = rows(db)[-1]
    row.created_at = utcnow() - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)
    db.session.commit()
    assert not logged_in(client, area)


def test_last_seen_is_written_at_most_once_a_minute(client, db, login_as, customer):
    login_as(customer)
    [row] = rows(db)
    first = row.last_seen_at
    client.get("/portal/tickets")
    db.session.expire_all()
    assert rows(db)[0].last_seen_at == first
    row = rows(db)[0]
    row.last_seen_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/portal/tickets")
    db.session.expire_all()
    assert rows(db)[0].last_seen_at > first


def test_session_lifetime_settings_have_documented_defaults(app):
    assert app.config["SESSION_IDLE_HOURS"] == 24 * 7
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 24 * 30
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=30)


# --- The profile's list of sessions ----------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_the_profile_lists_the_sessions_and_marks_this_one(app, client, db, login_as, account_for, area):
    account = account_for(area)
    second_browser(app, account, area)
    login_as(account)
    page = client.get(f"/{area}/profile").get_data(as_text=True)
    assert page.count('class="sessions__item') == 2
    assert page.count("This session") == 1
    assert "Firefox · Linux" in page and "127.0.0.1" in page
    assert "End all other sessions" in page


def test_the_console_header_links_to_the_profile(client, agent, login_as):
    login_as(agent)
    page = client.get("/console/").get_data(as_text=True)
    assert re.search(r'<a class="topbar__user[^"]*" href="/console/profile"', page)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("htmx", [False, True])
def test_ending_another_session(app, client, db, login_as, account_for, area, htmx):
    account = account_for(area)
    other = second_browser(app, account, area)
    login_as(account)
    other_id = next(row.id for row in rows(db) if row.user_agent.endswith("Firefox/133.0"))
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(f"/{area}/profile/sessions/{other_id}/end", headers=headers)
    if htmx:
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and body.lstrip().startswith('<section class="card settings" id="sessions"')
        assert "That session is ended" in body and body.count('class="sessions__item') == 1
    else:
        assert response.status_code == 303 and response.headers["Location"] == f"/{area}/profile"
        assert "That session is ended" in client.get(f"/{area}/profile").get_data(as_text=True)
    assert not logged_in(other, area)
    assert logged_in(client, area)


@pytest.mark.parametrize("area", AREAS)
def test_ending_all_other_sessions(app, client, db, login_as, account_for, area):
    account = account_for(area)
    others = [second_browser(app, account, area) for _ in range(2)]
    login_as(account)
    response = client.post(f"/{area}/profile/sessions/end-others", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "2 other sessions are ended." in response.get_data(as_text=True)
    assert not any(logged_in(browser, area) for browser in others)
    assert logged_in(client, area)


@pytest.mark.parametrize("area", AREAS)
def test_ending_this_session_logs_out(client, db, login_as, account_for, area):
    login_as(account_for(area))
    [row] = rows(db)
    response = client.post(f"/{area}/profile/sessions/{row.id}/end")  # no button for it, but it works
    assert response.status_code == 303 and response.headers["Location"] == f"/{area}/login"
    assert not logged_in(client, area)


@pytest.mark.parametrize("session_id", ["0" * 64, "not-a-session", "x" * 500, "%0d%0aSet-Cookie:x", "9" * 30, "A" * 64])
def test_a_session_that_is_not_yours_is_404_and_stays(app, client, db, make_customer, customer, login_as, session_id):
    stranger = make_customer("eve@example.com")
    strangers_browser = second_browser(app, stranger, "portal")
    [theirs] = rows(db)
    login_as(customer)
    for target in (theirs.id, session_id):
        response = client.post(f"/portal/profile/sessions/{target}/end")
        assert response.status_code == 404
    assert logged_in(strangers_browser, "portal")


def test_an_agents_session_cannot_be_ended_from_the_portal(app, client, db, make_agent, customer, login_as):
    agent = make_agent("dan@desk.example")
    agents_browser = second_browser(app, agent, "console")
    [theirs] = rows(db)
    login_as(customer)
    assert client.post(f"/portal/profile/sessions/{theirs.id}/end").status_code == 404
    assert logged_in(agents_browser, "console")
