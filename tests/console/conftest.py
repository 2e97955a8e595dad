"""The console served for real (werkzeug in a thread) and driven by Debian's Chromium.

The database is a SQLite file, or a private schema on PostgreSQL when TEST_DATABASE_URL is set: the
server commits for real, so it cannot share the rolled-back transaction of tests/conftest.py.
These tests skip only when the browser or the Python ``playwright`` package is missing; the
project's setup script installs both.
"""
from __future__ import annotations

import itertools
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from server import create_app
from server.bookings import calendars
from server.bookings.booking import book_slot
from server.bookings.slots import create_slots
from server.core.extensions import db
from server.core.timeutil import utcnow
from server.events import lifecycle, signup
from server.members.models import Department, Member
from server.notices import services as notices
from server.notices.delivery import Worker
from server.suggestions import services as suggestions

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STAFF = ("S0001", "staff-secret-1")
PLAIN = ("M0001", "member-secret-1")
_seq = itertools.count(1)


def _department(name: str) -> Department:
    dept = db.session.scalar(db.select(Department).filter_by(name=name))
    if dept is None:
        dept = Department(name=name)
        db.session.add(dept)
    return dept


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Site:
    app: object
    url: str

    def make_department(self, name: str) -> None:
        """A department, with nobody in it yet."""
        with self.app.app_context():
            _department(name)
            db.session.commit()

    def make_member(self, name: str, department: str = "生产一部", roles=("member",), password: str | None = None,
                    employee_no: str | None = None, phone: str | None = "") -> int:
        """phone: "" for a generated number, None for a member without one."""
        with self.app.app_context():
            dept = _department(department)
            n = next(_seq)
            m = Member(employee_no=employee_no or f"E{n:05d}", name=name,
                       phone=f"1380000{n:04d}" if phone == "" else phone, department=dept,
                       roles=sorted(set(roles) | {"member"}),
                       password_hash=generate_password_hash(password) if password else None)
            db.session.add(m)
            db.session.commit()
            return m.id

    def make_event(self, title: str, *, starts_at: datetime | None = None, registrants=(), **fields) -> int:
        """A published event, with the given member ids signed up in that order."""
        start = starts_at or utcnow() + timedelta(days=7)
        with self.app.app_context():
            ev = lifecycle.create_event(title=title, kind=fields.pop("kind", "activity"), location="工会活动室",
                                        starts_at=start, ends_at=start + timedelta(hours=2), **fields)
            for member_id in registrants:
                signup.register(member_id, ev.id)
            db.session.commit()
            return ev.id

    def make_notice(self, title: str, *, send: bool = False, **fields) -> int:
        """A notice written through the service; with send=True also sent (deliveries planned)."""
        fields.setdefault("body", "请各位会员留意。")
        fields.setdefault("channels", ["push", "sms"])
        fields.setdefault("audience", {"all": True})
        with self.app.app_context():
            n = notices.create_notice(None, title=title, **fields)
            if send:
                notices.send_notice(n.id)
            db.session.commit()
            return n.id

    def make_calendar(self, title: str, kind: str = "reception_day", **fields) -> int:
        """A booking calendar made through the service."""
        fields.setdefault("location", "工会办公室")
        with self.app.app_context():
            cal = calendars.create_calendar(kind=kind, title=title, **fields)
            db.session.commit()
            return cal.id

    def make_slots(self, calendar_id: int, spans: list[tuple[datetime, datetime]], capacity: int = 1) -> list[int]:
        """Published slots of the calendar, in the order given."""
        with self.app.app_context():
            _, slots = create_slots(calendar_id, [(s, e, capacity) for s, e in spans], None,
                                    [f"slots.{i}.starts_at" for i in range(len(spans))])
            db.session.commit()
            return [s.id for s in slots]

    def book(self, member_id: int, slot_id: int, topic: str | None = None) -> int:
        """The member books the slot, as the mini-program would."""
        with self.app.app_context():
            booking, _ = book_slot(member_id, slot_id, topic)
            db.session.commit()
            return booking.id

    def make_suggestion(self, content: str, category: str = "other", title: str | None = None) -> str:
        """A suggestion submitted through the service by a new member (so no daily limit is met), and
        filed at once as the scheduler's batch would, so staff see it."""
        submitter = self.make_member("匿名提交人")
        with self.app.app_context():
            suggestion, _ = suggestions.submit(submitter, category, title, content)
            suggestions.file_held(force=True)
            db.session.commit()
            return suggestion.id

    def run_worker(self, sms=None) -> int:
        """What a delivery worker would do, in this process: send every due delivery (SMS through ``sms``
        when given, such as a provider talking to the fake SMS server). Returns rows handled."""
        worker = Worker(self.app, name="console-test")
        if sms is not None:
            worker.sms = sms
        try:
            total = 0
            while done := worker.run_once():
                total += done
            return total
        finally:
            worker.pool.shutdown()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    url, drop_schema = _database(tmp_path_factory)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "console-test-key-" + "k" * 32, "AUTH_DEV_LOGIN": True,
                      # SMS "sent" by the console provider (a log line); nobody here has WeChat consent, and
                      # a push that tried anyway would meet a closed local port, never WeChat.
                      "SMS_PROVIDER": "console", "WECHAT_API_BASE_URL": "http://127.0.0.1:9/",
                      "STORAGE_ROOT": str(tmp_path_factory.mktemp("uploads"))})
    with app.app_context():
        db.create_all()
    site = Site(app, "")
    site.make_member("王主任", roles=("member", "staff"), password=STAFF[1], employee_no=STAFF[0],
                     department="工会办公室")
    site.make_member("李普通", password=PLAIN[1], employee_no=PLAIN[0])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{server.server_port}"
    yield site
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()
    drop_schema()


def _database(tmp_path_factory):
    """(url, cleanup): a SQLite file, or a schema of our own on TEST_DATABASE_URL's PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('console') / 'console.db'}", lambda: None
    schema = f"console_{os.getpid()}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()

    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", drop


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the Python package playwright is not installed (pip install playwright)")
    executable = _chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian package: chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site.url, locale="zh-CN",
                                  # A laptop set to UTC must still show and enter Beijing time.
                                  timezone_id="UTC",
                                  viewport={"width": 1366, "height": 860}, accept_downloads=True)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # Whatever the console's Content-Security-Policy blocks (an inline style, eval) is a bug of the page.
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def sign_in(page):
    """sign_in() opens the console and signs in as the seeded staff member."""
    from playwright.sync_api import expect

    def go(employee_no: str = STAFF[0], password: str = STAFF[1]):
        # The events list, where most tests begin (the console returns there after signing in).
        page.goto("/console/#/events")
        page.get_by_label("工号").fill(employee_no)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        if (employee_no, password) == STAFF:
            expect(page.locator("#events-table, .empty")).to_be_visible()
        return page

    return go
