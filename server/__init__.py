"""同心 · Union Hub: the Flask application."""
from __future__ import annotations

import sys
from contextvars import ContextVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from .core import logs, ratelimit
from .core.api import refuse_control_characters
from .core.config import INSTANCE, ConfigError, load_config
from .core.errors import register_error_handlers
from .core.extensions import db, migrate

API_PREFIX = "/api/v1"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE))
    app.config.update(_config_or_exit())
    if overrides:
        app.config.update(overrides)
    url = app.config["DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(url)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logs.init_app(app)  # LOG_FORMAT, request ids and request lines (docs/operations.md)

    if url.startswith("sqlite:///") and ":memory:" not in url:
        INSTANCE.mkdir(parents=True, exist_ok=True)
    # Every <int:…> in our URLs is a row id: one beyond a 32-bit id is a 404, not a database error.
    app.url_map.converters["int"] = RowIdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    register_error_handlers(app)
    ratelimit.init_app(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)

    app.before_request(refuse_control_characters)
    app.wsgi_app = SecurityHeaders(app.wsgi_app)

    @app.before_request
    def _mark_reads():
        sqlite_read_only.set(request.method in ("GET", "HEAD"))

    @app.teardown_request
    def _unmark_reads(_exc):
        sqlite_read_only.set(False)

    from . import (
        audit_trail,
        audits,
        awards,
        benefits,
        bookings,
        console,
        council,
        craftsman,
        dashboard,
        events,
        fund,
        health,
        improvements,
        member_requests,
        members,
        meta,
        metrics,
        notices,
        procurements,
        proposals,
        public,
        reminders,
        reports,
        suggestions,
        surveys,
        uploads,
        volunteers,
        votes,
        workdays,
    )

    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(members.bp, url_prefix=API_PREFIX)
    app.register_blueprint(events.bp, url_prefix=API_PREFIX)
    app.register_blueprint(bookings.bp, url_prefix=API_PREFIX)
    app.register_blueprint(notices.bp, url_prefix=API_PREFIX)
    app.register_blueprint(reminders.bp, url_prefix=API_PREFIX)
    app.register_blueprint(suggestions.bp, url_prefix=API_PREFIX)
    app.register_blueprint(surveys.bp, url_prefix=API_PREFIX)
    app.register_blueprint(meta.bp, url_prefix=API_PREFIX)
    app.register_blueprint(dashboard.bp, url_prefix=API_PREFIX)
    app.register_blueprint(workdays.bp, url_prefix=API_PREFIX)
    app.register_blueprint(member_requests.bp, url_prefix=API_PREFIX)
    app.register_blueprint(uploads.bp, url_prefix=API_PREFIX)
    app.register_blueprint(votes.bp, url_prefix=API_PREFIX)
    app.register_blueprint(proposals.bp, url_prefix=API_PREFIX)
    app.register_blueprint(proposals.pages)
    app.register_blueprint(council.bp, url_prefix=API_PREFIX)
    app.register_blueprint(craftsman.bp, url_prefix=API_PREFIX)
    app.register_blueprint(audit_trail.bp, url_prefix=API_PREFIX)
    app.register_blueprint(fund.bp, url_prefix=API_PREFIX)
    app.register_blueprint(procurements.bp, url_prefix=API_PREFIX)
    app.register_blueprint(awards.bp, url_prefix=API_PREFIX)
    app.register_blueprint(fund.pages)
    app.register_blueprint(improvements.bp, url_prefix=API_PREFIX)
    app.register_blueprint(audits.bp, url_prefix=API_PREFIX)
    app.register_blueprint(benefits.bp, url_prefix=API_PREFIX)
    app.register_blueprint(public.bp)
    from . import care

    app.register_blueprint(care.bp, url_prefix=API_PREFIX)
    app.register_blueprint(volunteers.bp, url_prefix=API_PREFIX)
    app.register_blueprint(volunteers.pages)
    app.register_blueprint(reports.bp, url_prefix=API_PREFIX)

    from .cli import register_cli

    register_cli(app)
    return app


def _config_or_exit() -> dict:
    """The configuration; a bad one ends start-up (``flask …``, a gunicorn worker) with one line naming the
    variable instead of a traceback."""
    try:
        return load_config()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        # 4 is gunicorn's "app failed to load": its master stops rather than restart the workers forever.
        raise SystemExit(4) from None


# Every answer, JSON or page: not framed, not sniffed into another type, no address sent on. Pages that
# need more (the console's scripts, the public pages' inline style) set their own policy first.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2 (older in-app browsers)
    "Referrer-Policy": "no-referrer",
}


_SECURITY_BY_NAME = {name.lower(): (name, value) for name, value in SECURITY_HEADERS.items()}


class SecurityHeaders:
    """WSGI middleware adding SECURITY_HEADERS that an answer does not set itself. On the plain header
    list it costs a few times less than an after_request hook on Werkzeug's Headers (every answer pays)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend([item for name, item in _SECURITY_BY_NAME.items() if name not in present])
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


class RowIdConverter(IntegerConverter):
    regex = r"\d{1,10}"  # longer never matches, whatever the method (a 404 rather than a 405)

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).parent / "migrations"


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Writers queue on SQLite's lock instead of failing at once.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}, "hide_parameters": True}
    # No pre-ping: it costs a round trip on every request. A connection lost to a database restart
    # fails one request with the 503 + Retry-After of errors.py, and SQLAlchemy then invalidates the
    # whole pool so the next request reconnects; recycling stops idle connections being cut by
    # firewalls or idle timeouts in the first place.
    # hide_parameters: a logged database error never prints values (receipt tags, member ids).
    return {"pool_pre_ping": False, "pool_recycle": 1800, "pool_size": 10, "max_overflow": 20,
            "hide_parameters": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn, _record):
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        # Autocommit at the driver, so SQLAlchemy's "begin" below controls the transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


# Set for GET/HEAD requests, which only read.
sqlite_read_only: ContextVar[bool] = ContextVar("sqlite_read_only", default=False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    # A deferred SQLite transaction that reads and then writes fails at once with "database is
    # locked" when another writer got in between; taking the write lock up front makes writers queue.
    # Reads stay deferred so they never wait for writers (WAL).
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if sqlite_read_only.get() else "BEGIN IMMEDIATE")
