"""The admin area's tests log in as an admin."""

import pytest

from shared.models import Agent


@pytest.fixture
def admin(make_agent) -> Agent:
    return make_agent("ada@desk.example", name="Ada Admin", is_admin=True)


@pytest.fixture
def as_admin(client, login_as, admin):
    return login_as(admin)
