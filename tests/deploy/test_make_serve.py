"""`make serve`: a real desk on this machine. No demo data and no mail catcher; it refuses, saying
what to do, without a secret key or before the first admin exists; Ctrl-C stops gunicorn and the
worker together. Run through make itself, on a fresh instance folder each time."""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from shared.core.config import PROJECT_ROOT

pytestmark = [
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
    pytest.mark.database("sqlite", reason="make serve's desk is the instance folder's SQLite"),
]
FLASK = str(PROJECT_ROOT / ".venv" / "bin" / "flask")


def environ(**extra: str) -> dict[str, str]:
    """The caller's environment without any DESKBELL_* of its own (the tests' database, a base URL)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DESKBELL_")} | extra


def make(instance: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    command = ["make", "--no-print-directory", "serve", f"INSTANCE={instance}", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=environ(**env), capture_output=True, text=True, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_recipe_serves_no_demo_and_no_catcher(tmp_path):
    command = ["make", "--no-print-directory", "-n", "serve", f"INSTANCE={tmp_path}", "PORT=5102"]
    recipe = subprocess.run(command, cwd=PROJECT_ROOT, env=environ(), capture_output=True, text=True, check=True).stdout
    assert "demo seed" not in recipe and "catcher" not in recipe
    assert "new_instance_config.py --serve" in recipe
    steps = [
        "serve_check.py config",
        "db upgrade",
        "serve_check.py agent",
        "worker &",
        "gunicorn --bind 127.0.0.1:5102 ",
    ]
    assert [recipe.index(step) for step in steps] == sorted(recipe.index(step) for step in steps)


def test_before_the_first_admin_it_refuses_and_says_how_to_make_one(tmp_path):
    result = make(tmp_path, "PORT=5103")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    told = f"DESKBELL_INSTANCE_PATH={tmp_path} .venv/bin/flask --app wsgi users create-agent EMAIL --admin"
    assert told in result.stderr
    assert "Deskbell serves on" not in result.stdout  # it stopped before serving
    config = (tmp_path / "config.py").read_text()
    assert "SECRET_KEY = '" in config and "\nSMTP_URL" not in config and "SIGNUP_ENABLED" not in config


def test_without_a_secret_key_it_refuses_before_touching_the_database(tmp_path):
    (tmp_path / "config.py").write_text("DESK_NAME = 'Ours'\n")
    result = make(tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "Deskbell cannot start: DESKBELL_SECRET_KEY is not set." in result.stderr
    assert "secrets.token_hex(32)" in result.stderr
    assert not (tmp_path / "deskbell.sqlite").exists()


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def flask(instance: Path, *args: str) -> None:
    """A command on the instance; cheap password hashing keeps the test quick."""
    env = environ(
        DESKBELL_INSTANCE_PATH=str(instance), DESKBELL_ARGON2_TIME_COST="1", DESKBELL_ARGON2_MEMORY_KIB="1024"
    )
    subprocess.run([FLASK, "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, check=True)


def test_it_serves_with_the_worker_and_ctrl_c_stops_both(tmp_path):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'a test key, not a secret'\n")
    flask(tmp_path, "db", "upgrade")
    flask(tmp_path, "users", "create-agent", "admin@example.com", "--admin", "--password", "x" * 12)
    port = free_port()
    command = ["make", "--no-print-directory", "serve", f"INSTANCE={tmp_path}", f"PORT={port}", "WEB_WORKERS=1"]
    # Its own process group, as a terminal's: Ctrl-C reaches make, the shell, gunicorn and the worker.
    output = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    serve = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environ(), start_new_session=True, **output)
    try:
        assert b'"status":"ok"' in wait_for(f"http://127.0.0.1:{port}/healthz", serve).replace(b" ", b"")
        os.killpg(serve.pid, signal.SIGINT)
        told = serve.communicate(timeout=30)[0].decode()
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    assert f"Deskbell serves on 127.0.0.1:{port}" in told and f"links use http://127.0.0.1:{port}" in told
    assert "Worker running" in told and "demo" not in told.lower()
    with pytest.raises(ProcessLookupError):  # nothing of it is left running
        os.killpg(serve.pid, 0)
