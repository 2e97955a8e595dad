"""Fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set).

Each test runs inside a transaction that is rolled back. Race tests use ``committing_db`` instead,
which lets threads commit for real and empties the tables afterwards.
"""
from __future__ import annotations

import os

import pytest
from flask import request_tearing_down
from flask.globals import _cv_request
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from scripts.fake_sms import DEFAULT_SDK_APP_ID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from server import create_app
from server.core.extensions import db as _db

from .factories import Factory


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory, wechat_server, sms_server):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        # A schema of our own, dropped and made afresh: old tables from other runs never get in the way.
        url = _pg_schema_url(url, os.environ.get("PYTEST_XDIST_WORKER", "main"))
    app = create_app({
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "AUTH_DEV_LOGIN": True,
        "WECHAT_API_BASE_URL": wechat_server.base_url,
        "WECHAT_TIMEOUT": 2.0,
        # SMS over real HTTP to the fake, in Tencent Cloud's format.
        "SMS_PROVIDER": "tencent", "SMS_API_BASE_URL": sms_server.base_url, "SMS_SECRET_ID": DEFAULT_SECRET_ID,
        "SMS_SECRET_KEY": DEFAULT_SECRET_KEY, "SMS_SDK_APP_ID": DEFAULT_SDK_APP_ID, "SMS_TIMEOUT": 2.0,
        "SMS_NOTICE_TEMPLATE_ID": "2001",
        "STORAGE_ROOT": str(tmp_path_factory.mktemp("uploads")),  # photos stay out of the repo's instance folder
        "TESTING": True,
    })
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.engine.dispose()


def _pg_schema_url(url: str, worker: str) -> str:
    """One PostgreSQL schema per xdist worker (or "main"), so parallel workers never share tables."""
    from sqlalchemy import create_engine

    schema = f"test_{worker}"
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def _context_id():
    # A test request reuses the test's app context; give it its own session anyway, as in production.
    return (_app_ctx_id(), id(_cv_request.get(None)))


@pytest.fixture
def db(app):
    """The session, bound to one connection whose transaction is rolled back after the test."""
    with app.app_context():
        conn = _db.engine.connect()
        trans = conn.begin()
        original = _db.session
        # A plain Session: Flask-SQLAlchemy's own get_bind() would ignore the bound connection.
        factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint")
        _db.session = scoped_session(factory, scopefunc=_context_id)

        def close_request_session(sender, **kw):
            # The test's app context outlives each request, so Flask-SQLAlchemy's teardown does not run.
            _db.session.remove()

        request_tearing_down.connect(close_request_session, app)
        try:
            yield _db
        finally:
            request_tearing_down.disconnect(close_request_session, app)
            _db.session.remove()
            _db.session = original
            if trans.is_active:
                trans.rollback()
            conn.close()


@pytest.fixture
def committing_db(app):
    """Real commits from many threads; every table emptied afterwards."""
    with app.app_context():
        yield _db
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                _empty(conn, table)


def _empty(conn, table):
    """Empty a table; an append-only one (its triggers refuse DELETE) with its triggers set aside meanwhile."""
    if not table.info.get("append_only"):
        conn.execute(table.delete())
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"ALTER TABLE {table.name} DISABLE TRIGGER USER"))
        conn.execute(table.delete())
        conn.execute(text(f"ALTER TABLE {table.name} ENABLE TRIGGER USER"))
    else:
        triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                                {"t": table.name}).all()
        for name, _sql in triggers:
            conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(table.delete())
        for _name, sql in triggers:
            conn.execute(text(sql))


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Throttle counters start empty in every test (the app, and its in-process counters, are shared)."""
    yield
    if "app" in request.fixturenames:
        from server.core import ratelimit

        with request.getfixturevalue("app").app_context():
            ratelimit.reset()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def make(db):
    return Factory(db)


@pytest.fixture
def auth(app):
    """auth(member) -> headers with a bearer token for that member."""
    from server.members.auth import issue_token

    def headers(member):
        with app.test_request_context():
            token, _ = issue_token(member.id)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="session")
def wechat_server():
    """The fake WeChat server from scripts/, over real HTTP."""
    from scripts.fake_wechat import FakeWeChat

    server = FakeWeChat().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sms_server():
    """The fake SMS server from scripts/ (Tencent and Alibaba formats at one URL), over real HTTP."""
    from scripts.fake_sms import FakeSms

    server = FakeSms().start()
    yield server
    server.stop()
