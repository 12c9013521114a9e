"""`flask --app wsgi backup create|restore` and `db move-to`: the command line of operations on a
whole desk (registered by shared/cli.py)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from shared.core.extensions import db
from shared.operations import backup, move, restore
from shared.operations.manifest import BackupError

backup_cli = AppGroup("backup", help="Back the desk up into one archive, and restore one into an empty desk.")


def _say(line: str) -> None:
    click.echo(line, err=True)


def _path(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    """A path argument as a Path; click's own check of it stumbles on a NUL byte with a traceback."""
    if not value.strip() or "\x00" in value:
        raise click.BadParameter("give a file or folder name (not empty, no NUL byte).", ctx, param)
    return Path(value)


@backup_cli.command("create")
@click.argument("path", callback=_path)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=None,
    help="When PATH is a folder: keep only the newest KEEP backups this command wrote there.",
)
def backup_create_command(path: Path, keep: int | None) -> None:
    """Write a consistent backup while the desk runs: the database (SQLite's backup API or pg_dump),
    the attachments and raw mail, and instance/config.py, which may hold the secret key (the archive
    is readable by its owner alone). PATH is a new file (.tar or .tar.gz), or a folder to write a
    dated deskbell-*.tar.gz into."""
    if keep is not None and not path.is_dir():
        raise click.UsageError(f"--keep needs PATH to be an existing folder of backups ({path} is not one).")
    try:
        written = backup.create(path, say=_say)
        if keep is not None:
            for old in backup.prune(path, keep):
                _say(f"backup: removed the old backup {old}")
    except (BackupError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:  # the driver's own words: never the URL, so never its password
        raise click.ClickException(f"The database cannot be read: {getattr(exc, 'orig', None) or exc}") from exc
    click.echo(written)


@backup_cli.command("restore")
@click.argument("path", callback=_path)
@click.option(
    "--force",
    is_flag=True,
    help="Restore even though the database has tables or the attachments folder has files: the SQLite file "
    "and config.py are kept aside as *.before-restore-*, PostgreSQL's tables from the backup are replaced.",
)
def backup_restore_command(path: Path, force: bool) -> None:
    """Restore a backup into an EMPTY desk (stop the server and worker first). The archive and every
    file's digest are checked before anything is written; a SQLite backup restores into SQLite and a
    PostgreSQL one into PostgreSQL (moving between them is `db move-to`'s job). A backup from an older
    Deskbell is upgraded after restoring; one from a newer Deskbell is refused."""
    if not path.is_file():
        raise click.BadParameter(f"{path} is not a backup file.", param_hint="PATH")
    try:
        done = restore.restore(path, force=force, say=_say)
    except (BackupError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise click.ClickException(f"The database cannot be used: {getattr(exc, 'orig', None) or exc}") from exc
    click.echo(done.config_note)
    upgraded = " and upgraded to this Deskbell's migrations" if done.upgraded else ""
    click.echo(f"Restored the backup of {done.manifest.created_at} (Deskbell {done.manifest.version}){upgraded}.")


@click.command("move-to")
@click.argument("url")
def db_move_to_command(url: str) -> None:
    """Copy this SQLite desk into an EMPTY PostgreSQL database (postgresql+psycopg://USER:PASSWORD@HOST/DB):
    the schema by the migrations, every table, the sequences, the search index and the counters; then
    every table is counted on both sides. Stop the web server and the worker first. Killed midway,
    run it again: it goes on where it stopped. Attachments stay in the instance folder."""
    try:
        target, counts = move.move_to(db.engine, url, progress=_bar, say=click.echo)
    except move.MoveError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:  # the driver's words, never the URL's password
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"The move stopped: {reason}. Run it again to go on.") from exc
    click.echo(f"{'table':<24}{'SQLite':>10}{'PostgreSQL':>12}")
    for c in counts:
        note = ("rebuilt" if c.ok else "REBUILT WRONG") if c.rebuilt else ("" if c.ok else "DIFFERENT")
        click.echo(f"{c.table:<24}{c.source:>10}{c.target:>12}  {note}".rstrip())
    if not all(c.ok for c in counts):
        raise click.ClickException("The two databases differ (was the desk stopped?); do not switch to the target.")
    click.echo(f"Moved to {move.shown(target)}. Attachments and raw mail stay in {current_app.instance_path}.")
    click.echo("Set DESKBELL_DATABASE_URL to the target and restart the web server and the worker.")


@contextmanager
def _bar(table: str, total: int) -> Iterator[Callable[[int], None]]:
    """One table's progress bar; the move advances it by the rows each batch copied."""
    with click.progressbar(length=total, label=f"{table:<22}", show_pos=True) as bar:
        yield bar.update
