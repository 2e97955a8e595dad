"""`flask --app server worker`: a delivery worker (run as many as needed, on any machines)."""
from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--once", is_flag=True, help="Handle what is due now, then exit.")
@with_appcontext
def worker_command(once: bool):
    """Send queued deliveries (push, SMS); stop with Ctrl-C or SIGTERM after the current batch."""
    from .delivery import Worker

    app = current_app._get_current_object()
    worker = Worker(app)
    if once:
        total = 0
        while (n := worker.run_once()):
            total += n
        click.echo(f"已处理 {total} 条投递")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    worker.stopping = stop
    worker.run()
