from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the one scheduler process (reminders, scheduled notices). Stop with Ctrl-C or SIGTERM."""
    from ..scheduler import run_scheduler

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_scheduler(current_app._get_current_object(), stop)
