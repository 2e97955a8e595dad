from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("suggestions")
def suggestions_cli():
    """The anonymous suggestion box."""


@suggestions_cli.command("file")
@click.option("--now", is_flag=True, help="File everything held, even a batch without company.")
@with_appcontext
def file_command(now: bool):
    """File held suggestions and replies as the scheduler does (before changing SECRET_KEY, or a downgrade)."""
    from .jobs import file_held_writes
    from .services import held_count

    filed = file_held_writes(force=now)
    click.echo(f"已归档 {filed} 条，仍在等待 {held_count()} 条")
