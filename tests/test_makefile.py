"""`make run PORT=… HOST=…`: every printed and mailed link uses the address it serves on.

Read from make itself (`make -n` prints the recipe with the variables make expanded, `-p` its
database), so what is checked is the Makefile's own logic, not a copy of it.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.core.config import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_run(tmp_path: Path, *args: str, **env: str) -> str:
    """What `make -n -p run ARGS` prints, with a fresh instance folder and the caller's environment
    minus any DESKBELL_BASE_URL of its own."""
    environ = {k: v for k, v in os.environ.items() if k != "DESKBELL_BASE_URL"} | env
    command = ["make", "--no-print-directory", "-n", "-p", "run", f"INSTANCE={tmp_path}", *args]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, check=True)
    return result.stdout


def told(output: str) -> str:
    return next(line for line in output.splitlines() if "Deskbell serves on" in line)


def exported(output: str) -> bool:
    return "run: DESKBELL_BASE_URL = $(RUN_URL)" in output.splitlines()


def test_the_port_is_the_links_port(tmp_path):
    output = make_run(tmp_path, "PORT=5101")
    assert "serves on 127.0.0.1:5101" in told(output) and "links use http://127.0.0.1:5101;" in told(output)
    assert exported(output)  # the environment of the web server, the worker and `demo seed`
    assert "gunicorn --bind 127.0.0.1:5101 " in output


@pytest.mark.parametrize(
    ("host", "bind", "links"),
    [
        ("0.0.0.0", "0.0.0.0:5101", "http://127.0.0.1:5101"),  # every interface: link to this machine
        ("::", "[::]:5101", "http://127.0.0.1:5101"),
        ("192.168.1.20", "192.168.1.20:5101", "http://192.168.1.20:5101"),
        ("::1", "[::1]:5101", "http://[::1]:5101"),
    ],
)
def test_the_host_is_the_links_host_unless_it_is_a_wildcard(tmp_path, host, bind, links):
    output = make_run(tmp_path, f"HOST={host}", "PORT=5101")
    assert f"links use {links};" in told(output) and exported(output)
    assert f"gunicorn --bind {bind} " in output


def test_a_base_url_the_user_set_wins(tmp_path):
    output = make_run(tmp_path, "PORT=5101", DESKBELL_BASE_URL="https://help.example.com")
    assert "links use https://help.example.com;" in told(output) and not exported(output)
    (tmp_path / "config.py").write_text("BASE_URL = 'https://desk.example.com'\n")
    output = make_run(tmp_path, "PORT=5101")
    assert f"links use the BASE_URL in {tmp_path}/config.py;" in told(output) and not exported(output)


def test_the_exported_address_is_what_the_app_builds_links_from(tmp_path, monkeypatch):
    from shared.core import urls
    from shared.demo import seed
    from wsgi import create_app

    monkeypatch.setenv("DESKBELL_BASE_URL", "http://127.0.0.1:5101")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    with app.test_request_context(base_url="http://elsewhere.test"):
        assert seed.login_lines()[0] == "Agent console: http://127.0.0.1:5101/console/login"
        assert urls.external_url("portal.ticket_show", number=1042) == "http://127.0.0.1:5101/portal/tickets/1042"
