"""The deployment, end to end: gunicorn started as deskbell-web.service starts it (its ExecStart,
its environment, the example settings), the real nginx or Caddy in front with its site file from
deploy/ and a certificate made for the test, and a client over https from another loopback
address. The desk answers, a login works, it knows it is served over https (HSTS, Secure cookies,
the strict Referer check of a form over https) and it sees the client's address, not the proxy's
nor one the client made up."""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.core.config import PROJECT_ROOT
from tests.deploy.files import DEPLOY, environment_file, exec_start, nginx_config, one, values, with_certificate

pytestmark = pytest.mark.database("sqlite", reason="the unit's desk is its instance folder's SQLite")
CLIENT = "127.0.0.2"  # the browser's address: the proxy sees it, gunicorn sees the proxy at 127.0.0.1
PASSWORD = "a long enough password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {seconds} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def unit_environment(instance: Path) -> dict[str, str]:
    """What systemd gives gunicorn: the unit's Environment= (its instance folder moved to the test's)
    and /etc/deskbell/env as deploy/env.example has it, with a secret key filled in."""
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    for assignment in values("deskbell-web.service", "Service", "Environment"):
        key, _, value = assignment.partition("=")
        env[key] = value
    assert env.pop("DESKBELL_INSTANCE_PATH") == one("deskbell-web.service", "Service", "ReadWritePaths")
    env["DESKBELL_INSTANCE_PATH"] = str(instance)
    env |= environment_file(DEPLOY / "env.example") | {"DESKBELL_SECRET_KEY": "a test key, not a secret"}
    return env


def start_nginx(tmp_path: Path, cert: Path, key: Path, app: int, https: int, http: int) -> subprocess.Popen:
    """The real nginx with deploy/nginx-deskbell.conf: its ports and certificate the test's."""
    site = with_certificate((DEPLOY / "nginx-deskbell.conf").read_text(), cert, key)
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen [::]:80;", ""),
    ]:
        assert site.count(old) == 1, old
        site = site.replace(old, new)
    log = tmp_path / "error.log"
    command = ["nginx", "-p", str(tmp_path), "-e", str(log), "-c", str(nginx_config(tmp_path, site))]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def start_caddy(tmp_path: Path, cert: Path, key: Path, app: int, https: int, http: int) -> subprocess.Popen:
    """The real Caddy with deploy/Caddyfile: the test's ports and certificate instead of ACME's."""
    site = (DEPLOY / "Caddyfile").read_text()
    for old, new in [
        (
            "\temail admin@example.com\n",
            f"\temail admin@example.com\n\tadmin off\n\thttp_port {http}\n"
            f"\thttps_port {https}\n\tdefault_bind 127.0.0.1\n\tstorage file_system {tmp_path}/caddy\n",
        ),
        ("help.example.com {\n", f"help.example.com {{\n\ttls {cert} {key}\n"),
        ("reverse_proxy 127.0.0.1:8000\n", f"reverse_proxy 127.0.0.1:{app}\n"),
    ]:
        assert site.count(old) == 1, old
        site = site.replace(old, new)
    (tmp_path / "Caddyfile").write_text(site)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    command = ["caddy", "run", "--adapter", "caddyfile", "--config", str(tmp_path / "Caddyfile")]
    with (tmp_path / "error.log").open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


PROXIES = {"nginx": start_nginx, "caddy": start_caddy}


def start_desk(tmp_path: Path, port: int) -> subprocess.Popen:
    """gunicorn as deskbell-web.service starts it, on `port`, with a first admin in its database."""
    env = unit_environment(tmp_path / "instance")
    flask = [str(PROJECT_ROOT / ".venv/bin/flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=env, capture_output=True, check=True)
    create = [*flask, "users", "create-agent", "admin@example.com", "--admin", "--password", PASSWORD]
    cheap = {"DESKBELL_ARGON2_TIME_COST": "1", "DESKBELL_ARGON2_MEMORY_KIB": "1024"}  # a quick test
    subprocess.run(create, cwd=PROJECT_ROOT, env=env | cheap, capture_output=True, check=True)
    argv = exec_start("deskbell-web.service")
    bind = argv.index("--bind") + 1
    assert argv[bind] == "127.0.0.1:8000"
    argv[bind] = f"127.0.0.1:{port}"
    argv[argv.index("--workers") + 1] = "1"  # two would only start slower
    cwd = one("deskbell-web.service", "Service", "WorkingDirectory").replace("/srv/deskbell", str(PROJECT_ROOT))
    with (tmp_path / "gunicorn.log").open("wb") as out:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(params=sorted(PROXIES))
def desk(request, tmp_path, certificate) -> Iterator[dict]:
    if shutil.which(request.param) is None:
        pytest.skip(f"{request.param} is not installed (scripts/install-test-system-deps.sh)")
    cert, key, ca = certificate
    app, https, http = free_port(), free_port(), free_port()
    processes = []
    try:
        processes.append(start_desk(tmp_path, app))
        processes.append(PROXIES[request.param](tmp_path, cert, key, app, https, http))
        wait_for_port(https, processes[1], tmp_path / "error.log")
        wait_for_port(app, processes[0], tmp_path / "gunicorn.log")
        yield {"proxy": request.param, "https": https, "http": http, "ca": ca, "log": tmp_path / "gunicorn.log"}
    finally:
        for process in reversed(processes):
            stop(process)


def request(desk: dict, method: str, path: str, *, tls: bool = True, body: str | None = None, **headers: str):
    """One request as a browser sends it from the client's address: TLS for help.example.com (SNI),
    Host with the port; the response, read."""
    port = desk["https"] if tls else desk["http"]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(CLIENT, 0))
    if tls:
        context = ssl.create_default_context()
        desk["ca"].configure_trust(context)
        sock = context.wrap_socket(sock, server_hostname="help.example.com")
    connection.sock = sock
    headers = {"Host": f"help.example.com:{port}", **{name.replace("_", "-"): value for name, value in headers.items()}}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.text = response.read().decode()
    connection.close()
    return response


def logged_ips(log: Path) -> list[str]:
    """The client address in each line of the desk's request log."""
    lines = (line for line in log.read_text().splitlines() if line.startswith("{"))
    return [entry["ip"] for entry in map(json.loads, lines) if "ip" in entry]


def test_behind_the_proxy_on_https(desk):
    health = request(desk, "GET", "/healthz")
    assert (health.status, json.loads(health.text)) == (200, {"status": "ok", "database": "ok"})
    assert health.getheader("Strict-Transport-Security") == "max-age=31536000"

    plain = request(desk, "GET", "/console/login?next=%2Fconsole%2F", tls=False)
    assert plain.status in (301, 308)
    location = plain.getheader("Location")
    assert re.fullmatch(r"https://help\.example\.com(:\d+)?/console/login\?next=%2Fconsole%2F", location), location

    page = request(desk, "GET", "/console/login", X_Forwarded_For="203.0.113.9")
    assert page.status == 200
    cookie = page.getheader("Set-Cookie")
    assert "; Secure" in cookie
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    form = f"csrf_token={token}&email=admin%40example.com&password={PASSWORD.replace(' ', '+')}"
    session = cookie.split(";")[0]

    # Over https a form needs a Referer from the desk's own origin: the desk sees the scheme, the
    # host and the port the client used, as nginx forwarded them, so only the right one passes.
    origin = f"https://help.example.com:{desk['https']}"
    for wrong in ["", f"http://help.example.com:{desk['https']}/", "https://help.example.com/", "https://127.0.0.1/"]:
        refused = request(
            desk, "POST", "/console/login", body=form, Cookie=session, **({"Referer": wrong} if wrong else {})
        )
        assert refused.status == 400 and "The form could not be accepted" in refused.text, wrong
    login = request(desk, "POST", "/console/login", body=form, Cookie=session, Referer=f"{origin}/console/login")
    assert login.status in (302, 303), login.text
    assert "; Secure" in login.getheader("Set-Cookie")
    assert request(desk, "GET", "/console/", Cookie=session).status == 302  # not logged in: to the login page
    console = request(desk, "GET", "/console/", Cookie=login.getheader("Set-Cookie").split(";")[0])
    assert console.status == 200 and 'action="/console/logout"' in console.text

    # The client's own address, even when it sent an X-Forwarded-For of its own making.
    assert set(logged_ips(desk["log"])) == {CLIENT}
