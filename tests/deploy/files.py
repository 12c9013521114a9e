"""The deploy/ files as the tests read them: systemd units (keys may repeat), the EnvironmentFile,
and the command line a unit starts, moved from /srv/deskbell to this checkout."""

import shlex
from pathlib import Path

from shared.core.config import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
HOME = "/srv/deskbell"  # where the units expect the checkout


def unit(name: str) -> dict[str, list[tuple[str, str]]]:
    """Each section's (key, value) pairs in order, as systemd reads them: a key may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in (DEPLOY / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, _, value = line.partition("=")
        assert current is not None and _ == "=", f"{name}: {line!r} is outside a section or not KEY=value"
        current.append((key.strip(), value.strip()))
    return sections


def values(name: str, section: str, key: str) -> list[str]:
    return [value for k, value in unit(name)[section] if k == key]


def one(name: str, section: str, key: str) -> str:
    [value] = values(name, section, key)
    return value


def environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines, comments and blank lines skipped, one pair of enclosing quotes removed."""
    env = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and key == key.strip() and key.isidentifier(), f"{path.name}: {line!r} is not KEY=value"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key] = value
    return env


def exec_start(name: str) -> list[str]:
    """The unit's ExecStart as an argument list, its program taken from this checkout."""
    argv = shlex.split(one(name, "Service", "ExecStart"))
    assert argv[0].startswith(f"{HOME}/.venv/bin/"), argv[0]
    return [str(PROJECT_ROOT) + argv[0].removeprefix(HOME), *argv[1:]]


def nginx_config(tmp_path: Path, site: str) -> Path:
    """A main nginx.conf around `site`, everything nginx writes kept under tmp_path."""
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nworker_processes 1;\ndaemon off;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{ access_log off; {temp} include {tmp_path}/site.conf; }}\n"
    )
    return main


def with_certificate(site: str, cert: Path, key: Path) -> str:
    live = "/etc/letsencrypt/live/help.example.com"
    assert f"{live}/fullchain.pem;" in site and f"{live}/privkey.pem;" in site
    return site.replace(f"{live}/fullchain.pem", str(cert)).replace(f"{live}/privkey.pem", str(key))
