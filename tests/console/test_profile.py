"""The agent's own profile over HTTP: the language of their console and of their mail."""

import pytest

from shared.models import Agent
from shared.outgoing import notifications


def saved_locale(db, agent: Agent) -> str | None:
    db.session.expire_all()
    return db.session.get(Agent, agent.id).locale


def test_the_profile_offers_the_languages_with_the_current_one_chosen(client, agent, login_as):
    login_as(agent)
    page = client.get("/console/profile").get_data(as_text=True)
    assert '<label class="field__label" for="locale">Language</label>' in page
    assert '<option selected value="en">English</option>' in page and '<option value="ru">Русский</option>' in page


def test_choosing_russian_switches_the_next_page_and_the_mail(
    db, client, agent, customer, make_ticket, login_as, outbox
):
    login_as(agent)
    response = client.post("/console/profile", data={"locale": "ru"})
    assert response.status_code == 303 and response.headers["Location"] == "/console/profile"
    assert saved_locale(db, agent) == "ru"
    page = client.get("/console/profile").get_data(as_text=True)
    assert '<html lang="ru">' in page and "Язык сохранён." in page
    assert '<option selected value="ru">Русский</option>' in page
    assert "Выйти" in client.get("/console/").get_data(as_text=True)
    # The mail the desk sends this agent follows the setting too.
    ticket = make_ticket(customer)
    notifications.ticket_opened(ticket, ticket.entries[0], actor=customer)
    db.session.commit()
    notice = next(m for m in outbox() if m.template == "agent_new_ticket" and m.to_addr == agent.email)
    assert "создал(а) обращение" in notice.body_text
    client.post("/console/profile", data={"locale": "en"})
    assert "Log out" in client.get("/console/").get_data(as_text=True)


@pytest.mark.parametrize("locale", ["de", "", "ru" * 5000, "<script>alert(1)</script>"])
def test_a_language_the_desk_does_not_offer_is_refused_beside_the_field(db, client, agent, login_as, locale):
    login_as(agent)
    response = client.post("/console/profile", data={"locale": locale})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="locale-error"' in page and "<script>alert(1)</script>" not in page
    assert saved_locale(db, agent) is None


def test_a_language_with_a_control_character_is_a_bad_request(db, client, agent, login_as):
    login_as(agent)
    assert client.post("/console/profile", data={"locale": "ru\x00"}).status_code == 400
    assert saved_locale(db, agent) is None
