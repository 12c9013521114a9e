"""deploy/deskbell: `flask --app wsgi ...` as the units run the desk, for `db upgrade` and the first
admin on a server: the settings file's values, none of the caller's, and the unit's instance folder."""

import os
import subprocess
from pathlib import Path

import pytest

from shared.core.config import PROJECT_ROOT
from tests.deploy.files import DEPLOY

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="deploy/deskbell runs as root and becomes the desk's user"),
    pytest.mark.database("sqlite", reason="the command's desk is its instance folder's SQLite"),
]


def deskbell(tmp_path: Path, env_file: Path, *args: str, **caller: str) -> subprocess.CompletedProcess:
    """The command with the checkout as /srv/deskbell and root as the desk's user."""
    env = {
        "PATH": os.environ["PATH"],
        "DESKBELL_DEPLOY_HOME": str(PROJECT_ROOT),
        "DESKBELL_DEPLOY_ENV": str(env_file),
        "DESKBELL_DEPLOY_USER": "root",
        "DESKBELL_DEPLOY_INSTANCE": str(tmp_path / "instance"),
        **caller,
    }
    return subprocess.run([str(DEPLOY / "deskbell"), *args], env=env, capture_output=True, text=True, timeout=60)


def test_it_reads_the_settings_file_and_only_that(tmp_path):
    env_file = tmp_path / "env"
    example = (DEPLOY / "env.example").read_text()
    env_file.write_text(example)  # the example as it is: no secret key yet
    refused = deskbell(tmp_path, env_file, "db", "upgrade", DESKBELL_SECRET_KEY="the caller's, not the file's")
    assert refused.returncode != 0 and "DESKBELL_SECRET_KEY is not set" in refused.stderr
    assert not (tmp_path / "instance" / "deskbell.sqlite").exists()

    filled = example.replace("DESKBELL_SECRET_KEY=\n", "DESKBELL_SECRET_KEY='a test key, not a secret'\n")
    env_file.write_text(filled + "DESKBELL_ARGON2_TIME_COST=1\nDESKBELL_ARGON2_MEMORY_KIB=1024\n")  # a quick test
    assert deskbell(tmp_path, env_file, "db", "upgrade").returncode == 0
    created = deskbell(
        tmp_path, env_file, "users", "create-agent", "admin@example.com", "--admin", "--password", "x" * 12
    )
    assert (created.returncode, created.stdout) == (0, "Created admin agent admin@example.com\n")
    assert (tmp_path / "instance" / "deskbell.sqlite").exists()


def test_without_the_settings_file_it_says_where_it_goes(tmp_path):
    result = deskbell(tmp_path, tmp_path / "missing", "db", "upgrade")
    assert result.returncode == 1
    assert (
        result.stderr
        == f"deskbell: {tmp_path}/missing is missing; copy {PROJECT_ROOT}/deploy/env.example there and fill it in\n"
    )
