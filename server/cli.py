"""`flask --app server …` commands, gathered from the domains."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from .backup.cli import backup_command
    from .demo import demo_command
    from .fund.cli import funds_cli
    from .members.cli import members_cli
    from .notices.cli import worker_command
    from .reminders.cli import scheduler_command
    from .reports.cli import report_command
    from .suggestions.cli import suggestions_cli
    from .workdays.cli import workdays_cli

    app.cli.add_command(members_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(suggestions_cli)
    app.cli.add_command(workdays_cli)
    app.cli.add_command(funds_cli)
    app.cli.add_command(report_command)
    app.cli.add_command(backup_command)
