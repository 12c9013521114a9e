"""Behind reverse proxies: X-Forwarded-* counts only from DESKBELL_PROXY_COUNT proxies, so the rate
limits and the request log see the real client, and a client cannot choose its address, its scheme
or the host that mailed links point at."""

import json
import logging
import re

import pytest

from shared.core.config import ConfigError
from wsgi import create_app

LIMITED = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"}
pytestmark = pytest.mark.usefixtures("one_limit_window")


def failed_login(client, n: int, forwarded_for: str) -> int:
    """A wrong password for a fresh address (so only a per-client limit can stop it); the status."""
    response = client.post(
        "/portal/login",
        data={"email": f"nobody{n}@example.com", "password": "wrong password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


@pytest.mark.parametrize("app_config", [{**LIMITED, "PROXY_COUNT": 0}])
def test_without_proxies_a_spoofed_forwarded_for_does_not_escape_the_login_limit(client):
    statuses = [failed_login(client, n, f"203.0.113.{n}") for n in range(3)]
    assert statuses == [422, 422, 429]


@pytest.mark.parametrize("app_config", [{**LIMITED, "PROXY_COUNT": 1}])
def test_behind_one_proxy_the_limit_counts_each_real_client(client):
    assert [failed_login(client, n, "203.0.113.7") for n in range(3)] == [422, 422, 429]
    # Someone else behind the same proxy is not locked out by the first client's attempts.
    assert failed_login(client, 3, "203.0.113.8") == 422
    # The proxy appends the address it saw: only the last one counts, whatever the client put first.
    assert failed_login(client, 4, "198.51.100.1, 203.0.113.7") == 429


@pytest.mark.parametrize(
    ("app_config", "logged"),
    [({"PROXY_COUNT": 0}, "127.0.0.1"), ({"PROXY_COUNT": 1}, "203.0.113.7"), ({"PROXY_COUNT": 2}, "198.51.100.1")],
)
def test_the_request_log_names_the_client_the_trusted_proxies_saw(client, caplog, logged):
    with caplog.at_level(logging.INFO, logger="deskbell.request"):
        client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "deskbell.request"]
    assert line["ip"] == logged


def reset_link(client, outbox, email: str, **request) -> str:
    assert client.post("/portal/reset", data={"email": email}, **request).status_code == 303
    return re.search(r"\S+/portal/reset/\S+", outbox()[-1].body_text).group(0)


@pytest.mark.parametrize("app_config", [{"PROXY_COUNT": 0, "BASE_URL": "https://help.example.com"}])
def test_mailed_links_ignore_the_host_a_client_sends(client, outbox, customer):
    link = reset_link(
        client,
        outbox,
        customer.email,
        base_url="http://evil.test",
        headers={"X-Forwarded-Host": "evil2.test", "X-Forwarded-Proto": "http"},
    )
    assert link.startswith("https://help.example.com/portal/reset/")


@pytest.mark.parametrize("app_config", [{"PROXY_COUNT": 1, "BASE_URL": "https://help.example.com/desk"}])
def test_mailed_links_behind_a_proxy_use_the_base_url(client, outbox, customer):
    """Even the trusted proxy's Host and scheme do not make mail links: BASE_URL does, path included."""
    link = reset_link(
        client,
        outbox,
        customer.email,
        headers={"X-Forwarded-Host": "internal.lan:8080", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "8080"},
    )
    assert link.startswith("https://help.example.com/desk/portal/reset/")


@pytest.mark.parametrize("count", ["-1", "two", "1.5", "true"])
def test_a_bad_proxy_count_is_a_startup_error(tmp_path, monkeypatch, count):
    monkeypatch.setenv("DESKBELL_PROXY_COUNT", count)
    with pytest.raises(ConfigError, match="DESKBELL_PROXY_COUNT"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})


def test_the_proxy_count_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKBELL_PROXY_COUNT", "2")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["PROXY_COUNT"] == 2
    client = app.test_client()
    # Two proxies, two hops each header: one value alone is something the client sent.
    alone = client.get("/favicon.ico", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in alone.headers
    both = client.get("/favicon.ico", headers={"X-Forwarded-Proto": "https, https"})
    assert "Strict-Transport-Security" in both.headers
