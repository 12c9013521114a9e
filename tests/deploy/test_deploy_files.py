"""deploy/: the systemd units, the nginx and Caddy sites and the example settings, checked by the
tools that will read them (systemd-analyze, nginx -t, caddy validate) and against the desk's own
settings (the request size limit, the one trusted proxy)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.core.config import DEFAULTS, PROJECT_ROOT
from tests.deploy.files import (
    DEPLOY,
    HOME,
    environment_file,
    exec_start,
    nginx_config,
    one,
    unit,
    values,
    with_certificate,
)

UNITS = ["deskbell-web.service", "deskbell-worker.service"]
INSTANCE = "/var/lib/deskbell"
# The desk's own request limit (shared/core/config.py, MAX_CONTENT_LENGTH), in MB.
REQUEST_MB = DEFAULTS["MAX_ATTACHMENT_MB"] * DEFAULTS["MAX_ATTACHMENTS_PER_MESSAGE"] + 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    """Every key known, every value parsed, every program there: any warning fails."""
    checked = [*UNITS, "deskbell-backup.service", "deskbell-backup.timer"]
    for name in checked:
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace(HOME, str(PROJECT_ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in checked)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_runs_the_desk_as_its_own_user_sandboxed(name):
    service = dict(unit(name)["Service"])  # the last of a repeated key; repeated ones are read below
    assert (service["User"], service["Group"], service["WorkingDirectory"]) == ("deskbell", "deskbell", HOME)
    assert values(name, "Service", "Environment") == [f"DESKBELL_INSTANCE_PATH={INSTANCE}"]
    assert service["EnvironmentFile"] == "/etc/deskbell/env"  # no "-": a missing file is an error
    assert (service["StateDirectory"], service["ReadWritePaths"]) == ("deskbell", INSTANCE)
    assert service["Restart"] == "on-failure"
    hardening = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes"}
    assert {key: service.get(key) for key in hardening} == hardening
    assert service["CapabilityBoundingSet"] == ""
    assert one(name, "Install", "WantedBy") == "multi-user.target"


def test_the_web_unit_serves_on_the_address_the_sites_proxy_to():
    argv = exec_start("deskbell-web.service")
    assert Path(argv[0]).name == "gunicorn" and argv[-1] == "wsgi:create_app()"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8000"
    assert "server 127.0.0.1:8000;" in (DEPLOY / "nginx-deskbell.conf").read_text()
    assert "reverse_proxy 127.0.0.1:8000\n" in (DEPLOY / "Caddyfile").read_text()
    assert exec_start("deskbell-worker.service")[1:] == ["--app", "wsgi", "worker"]


def test_the_example_settings_hold_no_secret_and_trust_one_proxy():
    env = environment_file(DEPLOY / "env.example")
    assert env["DESKBELL_SECRET_KEY"] == ""  # the desk refuses to start until it is set
    assert "secrets.token_hex(32)" in (DEPLOY / "env.example").read_text()
    assert env["DESKBELL_PROXY_COUNT"] == "1" and env["DESKBELL_BASE_URL"].startswith("https://")
    assert {"DESKBELL_SMTP_URL", "DESKBELL_IMAP_URL", "DESKBELL_MAIL_FROM"} <= set(env)
    assert all(key.startswith("DESKBELL_") for key in env)


def test_the_proxies_take_as_large_a_request_as_the_desk():
    assert f"client_max_body_size {REQUEST_MB}m;" in (DEPLOY / "nginx-deskbell.conf").read_text()
    assert f"max_size {REQUEST_MB}MB\n" in (DEPLOY / "Caddyfile").read_text()


@pytest.mark.skipif(
    shutil.which("nginx") is None, reason="nginx is not installed (scripts/install-test-system-deps.sh)"
)
def test_nginx_accepts_the_site(tmp_path, certificate):
    cert, key, _ = certificate
    site = with_certificate((DEPLOY / "nginx-deskbell.conf").read_text(), cert, key)
    main = nginx_config(tmp_path, site)
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr and "[emerg]" not in result.stderr


@pytest.mark.skipif(
    shutil.which("caddy") is None, reason="caddy is not installed (scripts/install-test-system-deps.sh)"
)
def test_caddy_accepts_the_site(tmp_path):
    result = subprocess.run(
        ["caddy", "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr
    assert '"level":"warn"' not in result.stderr and '"level":"error"' not in result.stderr
