"""The scheduler process over a full calendar: start-up, memory, and how late a big reminder goes out.

    .venv/bin/python bench/scheduler.py [--database-url URL | --sqlite] [--events 10000] [--registrants 2000]
                                        [--due-after 9] [--profile]

Seeds ``--events`` future events with their two reminder rows (24 h and 2 h before, as
``reminders.services.schedule_event`` writes them) and one event X with ``--registrants`` confirmed
registrations, all in bulk. Then starts ``flask --app server scheduler`` as a subprocess and measures:
- start-up: from spawn until it logs "scheduler … started"; interpreter start, `import server`,
  create_app() and the first query are timed separately, in a process of its own that does only that;
- memory: VmRSS once started, VmRSS and the peak (VmHWM) after X's reminder went out;
- lateness: X's 2 h reminder is made due ``--due-after`` seconds after the scheduler started; the bench
  polls the database every 20 ms until the reminder is sent and its notice planned, and reports
  reminders.fired_at, notices.planned_at and the moment the rows were first visible (committed), each
  against reminders.due_at; then the recipients and deliveries written.
Without ``--database-url`` it uses a throwaway PostgreSQL database, dropped afterwards; ``--sqlite`` a
throwaway SQLite file; a given URL gets its tables created if missing, and the bench's rows stay in it.
``--profile`` then fires X's reminder once more inside the bench and times each SQL statement.
Exits 1 if a target of issue 4 is missed: start-up < 5 s, memory < 150 MB, planned < 2 s after due.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_delta, cpu_seconds, database, machine, machine_cpu_seconds, postgres_cpu  # noqa: E402

TARGET_STARTUP_S = 5.0
TARGET_MB = 150
TARGET_LATE_S = 2.0
SECRET_KEY = "bench-secret-key-" + "x" * 32
CHUNK = 2000
OFFSETS = (1440, 120)  # the default reminder_minutes of an event


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


# --- seeding ----------------------------------------------------------------------------------------

def _event_row(run: str, i: int, starts_at: datetime, now: datetime, **extra) -> dict:
    return {"title": f"压测活动{run}-{i}", "description": "", "kind": "activity", "location": f"{i % 20 + 1}号会议室",
            "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2), "capacity": None, "waitlist": True,
            "walk_in": False, "checkin_opens_minutes_before": 60, "checkin_closes_minutes_after": 120,
            "reminder_minutes": list(OFFSETS), "status": "published", "confirmed_count": 0, "waitlist_count": 0,
            "waitlist_seq": 0, "ticket_key": secrets.token_bytes(32), "created_at": now, "updated_at": now, **extra}


def _reminder_rows(event_id: int, starts_at: datetime, now: datetime) -> list[dict]:
    # What schedule_event writes: one row per reminder time still in the future.
    return [{"kind": "event", "target_id": event_id, "offset_minutes": m, "due_at": starts_at - timedelta(minutes=m),
             "status": "pending", "created_at": now} for m in OFFSETS if starts_at - timedelta(minutes=m) > now]


def seed(app, events: int, registrants: int) -> dict:
    """Bulk-insert the calendar, the members and event X; returns X's ids."""
    from sqlalchemy import func, insert, select

    from server.core.extensions import db
    from server.events.models import Event, Registration
    from server.members.models import Member
    from server.reminders.models import Reminder

    run = secrets.token_hex(3)
    now = datetime.now(UTC)
    with app.app_context():
        # The calendar: events starting 2 to 120 days from now, both reminders still ahead.
        for lo in range(0, events, CHUNK):
            rows = [_event_row(run, i, now + timedelta(days=2, minutes=17 * i), now)
                    for i in range(lo, min(lo + CHUNK, events))]
            made = db.session.execute(insert(Event).returning(Event.id, Event.starts_at, sort_by_parameter_order=True),
                                      rows).all()
            db.session.execute(insert(Reminder), [r for eid, start in made for r in _reminder_rows(eid, start, now)])
            db.session.commit()

        # Event X starts in a little over 2 h: its 24 h reminder is already past (not written), its 2 h
        # reminder is pending and is moved to just after the scheduler's start by make_due().
        start = now + timedelta(hours=2, minutes=10)
        row = _event_row(run, -1, start, now, title=f"压测大活动{run}", location="职工活动中心大礼堂",
                         confirmed_count=registrants)
        x = db.session.execute(insert(Event).returning(Event.id), [row]).scalar_one()
        db.session.execute(insert(Reminder), _reminder_rows(x, start, now))
        digits = f"{int(run, 16) % 10**6:06d}"
        mids = db.session.scalars(insert(Member).returning(Member.id, sort_by_parameter_order=True), [
            {"employee_no": f"R{run}{i:05d}", "name": f"压测会员{i}", "phone": f"1{digits}{i:04d}", "roles": ["member"],
             "is_active": True, "created_at": now, "updated_at": now} for i in range(registrants)]).all()
        for lo in range(0, len(mids), CHUNK):
            db.session.execute(insert(Registration), [
                {"event_id": x, "member_id": m, "status": "confirmed", "created_at": now, "confirmed_at": now}
                for m in mids[lo:lo + CHUNK]])
        db.session.commit()
        rid = db.session.scalar(select(Reminder.id).where(Reminder.target_id == x, Reminder.offset_minutes == 120))
        pending = db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.status == "pending"))
        if db.engine.dialect.name == "postgresql":
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum would have done on a live calendar
        db.session.remove()
    return {"event_id": x, "reminder_id": rid, "pending_reminders": pending}


def make_due(app, x: dict, due_at: datetime) -> None:
    """Move X so that its 2 h reminder falls due at ``due_at`` (both rows, one transaction)."""
    from sqlalchemy import update

    from server.core.extensions import db
    from server.events.models import Event
    from server.reminders.models import Reminder

    with app.app_context():
        db.session.execute(update(Event).where(Event.id == x["event_id"]).values(
            starts_at=due_at + timedelta(minutes=120), ends_at=due_at + timedelta(minutes=240)))
        db.session.execute(update(Reminder).where(Reminder.id == x["reminder_id"]).values(due_at=due_at))
        db.session.commit()
        db.session.remove()
    x["due_at"] = due_at


# --- the scheduler process ----------------------------------------------------------------------------

def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: int(re.search(rf"^{k}:\s+(\d+) kB", text, re.M).group(1)) for k in ("VmRSS", "VmHWM")}


class Scheduler:
    """`flask --app server scheduler` as a subprocess; every stderr line is kept with its arrival time."""

    def __init__(self, url: str):
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "SMS_PROVIDER": "console",
               "PYTHONUNBUFFERED": "1"}
        self.spawned = time.time()
        self.proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "--app", "server", "scheduler"],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[tuple[float, str]] = []
        self.started = threading.Event()
        self.started_at: float | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            now = time.time()
            self.lines.append((now, line.rstrip("\n")))
            if self.started_at is None and re.search(r"scheduler \S+ started", line):
                self.started_at = now
                self.started.set()

    def first_line_at(self) -> float | None:
        return self.lines[0][0] if self.lines else None

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._reader.join(timeout=5)
        return code


IMPORT_PROBE = """
import time, json
t0 = time.time()
import server
t1 = time.time()
app = server.create_app()
t2 = time.time()
from server.core.extensions import db
with app.app_context():
    db.session.execute(db.text("SELECT 1"))
t3 = time.time()
print(json.dumps({"first": t0, "imported": t1, "created": t2, "queried": t3}))
"""


def import_probe(url: str) -> dict:
    """Interpreter start, `import server` and create_app() in a process that does nothing else."""
    import json

    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "SMS_PROVIDER": "console"}
    t = time.time()
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", IMPORT_PROBE], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    p = json.loads(out.strip().splitlines()[-1])
    return {"interpreter": p["first"] - t, "import": p["imported"] - p["first"],
            "create_app": p["created"] - p["imported"], "first_query": p["queried"] - p["created"]}


# --- watching X's reminder ----------------------------------------------------------------------------

class CpuWindow:
    """CPU seconds spent between start() and stop(): the scheduler, PostgreSQL (our database's backends and
    the background processes), this bench, and every other process on the machine."""

    def __init__(self, pid: int, database_name: str | None):
        self.pid, self.database = pid, database_name
        self.started = False

    def _snap(self) -> tuple:
        pg = postgres_cpu(self.database) if self.database else {}
        return time.time(), cpu_seconds(self.pid), pg, time.process_time(), machine_cpu_seconds()

    def start(self) -> None:
        self.a, self.started = self._snap(), True

    def stop(self) -> dict:
        b = self._snap()
        wall, sched, pg, me, busy = (b[0] - self.a[0], b[1] - self.a[1], cpu_delta(self.a[2], b[2]),
                                     b[3] - self.a[3], b[4] - self.a[4])
        return {"at": self.a[:2], "wall": wall, "scheduler": sched, "postgres": pg, "bench": me,
                "other": max(0.0, busy - sched - pg - me)}


def wait_planned(app, x: dict, deadline: float, cpu: CpuWindow | None = None) -> dict | None:
    """Poll every 20 ms until X's reminder is sent and its notice planned; None at the deadline.
    ``cpu`` is started at the first poll after the due time and stopped when the rows are seen."""
    from sqlalchemy import text

    from server import sqlite_read_only
    from server.core.extensions import db

    sql = text("SELECT r.status, r.due_at, r.fired_at, r.notice_id, n.planned_at FROM reminders r "
               "LEFT JOIN notices n ON n.id = r.notice_id WHERE r.id = :id")
    token = sqlite_read_only.set(True)  # a deferred BEGIN on SQLite: polling never holds the write lock
    try:
        with app.app_context():
            try:
                while time.time() < deadline:
                    if cpu and not cpu.started and time.time() >= _aware(x["due_at"]).timestamp():
                        cpu.start()
                    row = db.session.execute(sql, {"id": x["reminder_id"]}).one()
                    db.session.rollback()  # the next poll sees the latest commit
                    if row.status != "pending" and (row.planned_at is not None or row.status == "missed"):
                        seen = time.time()
                        if cpu and cpu.started:
                            x["cpu"] = cpu.stop()
                        return {"seen_at": seen, "status": row.status, "due_at": _aware(row.due_at),
                                "fired_at": _aware(row.fired_at), "planned_at": _aware(row.planned_at),
                                "notice_id": row.notice_id}
                    time.sleep(0.02)  # polling another process's progress
            finally:
                db.session.remove()
    finally:
        sqlite_read_only.reset(token)
    return None


def _aware(value) -> datetime | None:
    """PostgreSQL gives aware datetimes, SQLite naive UTC text through a raw text() query."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def written(app, notice_id: int) -> dict:
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.notices.models import Delivery, NoticeRecipient

    with app.app_context():
        recipients = db.session.scalar(select(func.count()).select_from(NoticeRecipient)
                                       .where(NoticeRecipient.notice_id == notice_id))
        by = dict(((c, s), n) for c, s, n in db.session.execute(
            select(Delivery.channel, Delivery.status, func.count()).where(Delivery.notice_id == notice_id)
            .group_by(Delivery.channel, Delivery.status)).all())
        db.session.remove()
    return {"recipients": recipients, "deliveries": sum(by.values()),
            "by": ", ".join(f"{c}/{s} {n}" for (c, s), n in sorted(by.items()))}


def fired_log_at(lines: list[tuple[float, str]], reminder_id: int) -> float | None:
    """When the scheduler's "reminder <id> fired" line arrived (logged just before the commit)."""
    for at, line in lines:
        if re.search(rf"reminder {reminder_id} fired", line):
            return at
    return None


def profile_fire(app, x: dict, notice_id: int) -> None:
    """Fire X's reminder again in this process (its notice deleted, the row pending again) and print
    the wall time of each SQL statement, this process's CPU and the database backend's (PostgreSQL)."""
    from sqlalchemy import delete, event, update

    from server.core.extensions import db
    from server.notices.models import Delivery, Notice, NoticeRecipient
    from server.reminders import services
    from server.reminders.models import Reminder

    rows: list[tuple[str, float, int]] = []

    def before(conn, cursor, statement, params, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        rows.append((" ".join(statement.split())[:120], time.perf_counter() - conn.info.pop("t0"), cursor.rowcount))

    with app.app_context():
        db.session.execute(update(Reminder).where(Reminder.id == x["reminder_id"])
                           .values(status="pending", fired_at=None, notice_id=None, recipients=None))
        for model in (Delivery, NoticeRecipient):  # no foreign keys to cascade along
            db.session.execute(delete(model).where(model.notice_id == notice_id))
        db.session.execute(delete(Notice).where(Notice.id == notice_id))
        db.session.commit()
        pg = db.engine.dialect.name == "postgresql"
        backend = db.session.execute(db.text("SELECT pg_backend_pid()")).scalar_one() if pg else None
        db.session.rollback()
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            cpu0, pg0, t0 = time.process_time(), cpu_seconds(backend) if pg else 0.0, time.perf_counter()
            result = services.fire(x["reminder_id"])
            db.session.commit()
            wall = time.perf_counter() - t0
            cpu, pg_cpu = time.process_time() - cpu0, (cpu_seconds(backend) - pg0) if pg else float("nan")
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
            db.session.remove()
    print(f"profile: fire() + commit in this process: {wall:.3f} s wall, CPU here {cpu:.3f} s, database backend "
          f"{pg_cpu:.3f} s; {result}")
    for label, secs, count in rows:
        print(f"  {secs * 1000:8.1f} ms  rows {count:>5}  {label}")
    print(f"  {(wall - sum(r[1] for r in rows)) * 1000:8.1f} ms  outside SQL (Python, ORM)")


# --- main ---------------------------------------------------------------------------------------------

def describe(url: str) -> str:
    if url.startswith("sqlite"):
        import platform

        return (f"nproc {len(os.sched_getaffinity(0))}, Python {platform.python_version()}, "
                f"SQLite {sqlite3.sqlite_version}")
    return machine(url)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="database to use (tables created if missing, rows stay); "
                        "default: a throwaway PostgreSQL database, dropped afterwards")
    parser.add_argument("--sqlite", action="store_true", help="use a throwaway SQLite file instead of PostgreSQL")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--registrants", type=int, default=2000)
    parser.add_argument("--due-after", type=float, default=9.0,
                        help="seconds after the scheduler started at which X's reminder falls due")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up this long after the due time")
    parser.add_argument("--profile", action="store_true",
                        help="afterwards, fire X's reminder again in this process and time each SQL statement")
    args = parser.parse_args()

    from sqlalchemy.engine import make_url

    from server import create_app
    from server.core.extensions import db

    with ExitStack() as stack:
        if args.sqlite and not args.database_url:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-scheduler-"))
            args.database_url = f"sqlite:///{tmp}/union.db"
        url = stack.enter_context(database(args.database_url))
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
        with app.app_context():
            db.create_all()
        print(describe(url))
        t0 = time.perf_counter()
        x = seed(app, args.events, args.registrants)
        print(f"seeded in {time.perf_counter() - t0:.1f} s: {args.events} events, {x['pending_reminders']} pending "
              f"reminders; event {x['event_id']} with {args.registrants} confirmed registrants")
        probe = import_probe(url)

        load0 = loadavg()
        sched = Scheduler(url)
        try:
            if not sched.started.wait(60):
                print("\n".join(line for _, line in sched.lines))
                print("the scheduler did not start within 60 s")
                return 1
            startup = sched.started_at - sched.spawned
            first = (sched.first_line_at() or sched.started_at) - sched.spawned
            rss_started = proc_status(sched.proc.pid)["VmRSS"] / 1024
            startup_cpu = cpu_seconds(sched.proc.pid)
            idle0 = time.time(), cpu_seconds(sched.proc.pid)  # until the due time only idle ticks run
            due_at = utc(sched.started_at + args.due_after)
            make_due(app, x, due_at)
            cpu = CpuWindow(sched.proc.pid, None if url.startswith("sqlite") else make_url(url).database)
            got = wait_planned(app, x, due_at.timestamp() + args.timeout, cpu)
            mem = proc_status(sched.proc.pid)
            load1 = loadavg()
        finally:
            code = sched.stop()
        with app.app_context():
            db.engine.dispose()

        if got is None:
            print("\n".join(line for _, line in sched.lines[-30:]))
            print(f"X's reminder was not planned within {args.timeout:.0f} s of its due time")
            return 1
        due = got["due_at"]
        fired = (got["fired_at"] - due).total_seconds() if got["fired_at"] else float("nan")
        planned = (got["planned_at"] - due).total_seconds() if got["planned_at"] else float("nan")
        visible = got["seen_at"] - due.timestamp()
        log_at = fired_log_at(sched.lines, x["reminder_id"])
        rows = written(app, got["notice_id"]) if got["notice_id"] else {"recipients": 0, "deliveries": 0, "by": ""}
        rss_end, peak = mem["VmRSS"] / 1024, mem["VmHWM"] / 1024

        print(f"load average {load0} before, {load1} after; scheduler exit code {code}")
        print("| figure | value | target |")
        print("|---|---|---|")
        print(f"| start-up: spawn -> 'scheduler … started' | {startup:.2f} s | < {TARGET_STARTUP_S:.0f} s |")
        print(f"| … CPU the scheduler used to get there (user + system) | {startup_cpu:.2f} s | |")
        print(f"| … of which spawn -> first log line (imports, create_app, lease) | {first:.2f} s | |")
        print(f"| … separately: interpreter / import server / create_app / first query | {probe['interpreter']:.2f} / "
              f"{probe['import']:.2f} / {probe['create_app']:.2f} / {probe['first_query']:.2f} s | |")
        print(f"| RSS once started | {rss_started:.0f} MB | < {TARGET_MB} MB |")
        print(f"| RSS after X's reminder / peak (VmHWM) | {rss_end:.0f} / {peak:.0f} MB | < {TARGET_MB} MB |")
        print(f"| X's reminder status | {got['status']} | sent |")
        print(f"| fired_at − due_at (tick) | {fired:.3f} s | |")
        print(f"| notices.planned_at − due_at | {planned:.3f} s | < {TARGET_LATE_S:.0f} s |")
        print(f"| 'fired' log line − due_at | {log_at - due.timestamp():.3f} s | |" if log_at else
              "| 'fired' log line − due_at | not seen | |")
        print(f"| rows visible (committed, 20 ms polls) − due_at | {visible:.3f} s | < {TARGET_LATE_S:.0f} s |")
        print(f"| recipients | {rows['recipients']} | {args.registrants} |")
        print(f"| deliveries | {rows['deliveries']} ({rows['by']}) | {2 * args.registrants} |")

        checks = {
            f"start-up < {TARGET_STARTUP_S:.0f} s": startup < TARGET_STARTUP_S,
            f"memory < {TARGET_MB} MB (peak)": peak < TARGET_MB,
            f"planned < {TARGET_LATE_S:.0f} s after due (committed)":
                got["status"] == "sent" and visible < TARGET_LATE_S,
            f"{args.registrants} recipients": rows["recipients"] == args.registrants,
            # push (skipped: no WeChat binding) + the SMS fallback, one each per registrant
            f"{2 * args.registrants} deliveries": rows["deliveries"] == 2 * args.registrants,
        }
        if "cpu" in x:
            c = x["cpu"]
            idle = (c["at"][1] - idle0[1]) / (c["at"][0] - idle0[0])
            print(f"scheduler CPU while idle (started -> due time): {idle * 1000:.1f} ms per second")
            pg = "" if url.startswith("sqlite") else f"PostgreSQL {c['postgres']:.2f} s, "
            print(f"CPU from due time to rows seen ({c['wall']:.2f} s): scheduler {c['scheduler']:.2f} s, {pg}"
                  f"this bench {c['bench']:.2f} s, other processes {c['other']:.2f} s "
                  f"(= {c['other'] / c['wall'] if c['wall'] else 0:.1f} cores)")
        if args.profile and got["notice_id"]:
            profile_fire(app, x, got["notice_id"])
            with app.app_context():
                db.engine.dispose()
        for name, ok in checks.items():
            print(f"target {name}: {'met' if ok else 'MISSED'}")
        return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
