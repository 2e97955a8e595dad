"""`flask backup`: dump the database with its manifest into BACKUP_DIR and keep the newest N (docs/backups.md)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .services import DEFAULT_KEEP


@click.command("backup")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), help="Folder (default: BACKUP_DIR).")
@click.option("--keep", type=click.IntRange(min=1), default=DEFAULT_KEEP, show_default=True,
              help="How many backups to keep; older ones are removed.")
@click.option("--with-uploads", is_flag=True, help="Also archive the local uploads folder (not for S3).")
@with_appcontext
def backup_command(output, keep, with_uploads):
    """Back up the database (pg_dump, or SQLite's online backup) with a manifest of its contents."""
    from .services import BackupError, take_backup

    try:
        backup = take_backup(output, keep=keep, with_uploads=with_uploads)
    except BackupError as exc:
        click.echo(f"备份失败 / backup failed: {exc}", err=True)
        raise SystemExit(1) from None
    m = backup.manifest
    click.echo(f"备份完成 backup written: {backup.dump_path} ({m['dump']['bytes']} bytes, "
               f"{len(m['row_counts'])} tables, {sum(m['row_counts'].values())} rows, "
               f"alembic {m['alembic_revision']})")
    click.echo(f"清单 manifest: {backup.manifest_path}")
