"""deploy/deskbell-backup.service and .timer: the command line the service runs is one this Deskbell
accepts and that writes a backup, and the folder keeps only the newest backups."""

import configparser
import shlex
from pathlib import Path

import pytest

from shared.core.config import PROJECT_ROOT
from shared.operations import backup
from shared.operations.manifest import BackupError

DEPLOY = PROJECT_ROOT / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


def test_the_services_command_line_writes_a_backup_and_keeps_the_newest(runner, tmp_path):
    service = unit("deskbell-backup.service")["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0] == f"{service['WorkingDirectory']}/.venv/bin/flask" and argv[1:3] == ["--app", "wsgi"]
    folder = argv[argv.index("create") + 1]
    assert folder in service["ExecStartPre"] and service["Type"] == "oneshot" and service["UMask"] == "0077"
    keep = int(argv[argv.index("--keep") + 1])
    old = [tmp_path / f"deskbell-202001{n:02d}-031500.tar.gz" for n in range(1, keep + 2)]
    for path in old:
        path.write_bytes(b"an old backup")
    (tmp_path / "notes.txt").write_text("not a backup: kept")

    # Exactly what systemd runs, with the backup folder in a temporary place.
    result = runner.invoke(args=[str(tmp_path) if a == folder else a for a in argv[3:]])
    assert result.exit_code == 0, result.output
    [written] = [Path(line) for line in result.stdout.splitlines()]
    kept = sorted(p.name for p in tmp_path.glob("deskbell-*.tar.gz"))
    assert len(kept) == keep and written.name == kept[-1] and (tmp_path / "notes.txt").exists()
    assert kept[0] == old[2].name  # the two oldest went


def test_the_timer_runs_the_service_nightly_and_catches_up():
    timer = unit("deskbell-backup.timer")
    assert timer["Timer"]["OnCalendar"].startswith("*-*-* ") and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert (DEPLOY / "deskbell-backup.service").exists()  # the timer starts the service of its own name


def test_keep_must_be_at_least_one(tmp_path, runner):
    with pytest.raises(BackupError):
        backup.prune(tmp_path, 0)
    assert runner.invoke(args=["backup", "create", str(tmp_path), "--keep", "0"]).exit_code == 2
    assert (
        "needs PATH to be an existing folder"
        in runner.invoke(args=["backup", "create", str(tmp_path / "x.tar"), "--keep", "2"]).output
    )
