"""The real scheduler process: two started by mistake fire once; kill -9 the one running and the other takes over."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.events import lifecycle, signup
from server.members.models import Member
from server.notices.models import Notice
from server.reminders.models import Reminder, SchedulerLease

ROOT = Path(__file__).resolve().parents[2]


def start_scheduler(app, log_path):
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "SCHEDULER_LEASE_SECONDS": "3", "REMINDER_TICK_SECONDS": "0.5", "SMS_PROVIDER": "console",
           "FLASK_APP": "server"}
    return subprocess.Popen([sys.executable, "-m", "flask", "scheduler"], cwd=ROOT, env=env,
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)


def wait_for(predicate, timeout=45.0):
    """Poll the database for what another process does (bounded), not a sleep standing in for time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def due_reminder(db, member_ids) -> int:
    start = utcnow() + timedelta(hours=1)
    ev = lifecycle.create_event(title="夜跑", kind="activity", location="操场", starts_at=start,
                                ends_at=start + timedelta(hours=1), reminder_minutes=[])
    db.session.flush()
    for mid in member_ids:
        signup.register(mid, ev.id)
    r = Reminder(kind="event", target_id=ev.id, offset_minutes=60, due_at=utcnow() - timedelta(seconds=1))
    db.session.add(r)
    db.session.commit()
    rid = r.id
    db.session.close()
    return rid


def read(db, stmt):
    value = db.session.scalar(stmt)
    db.session.close()  # hold no transaction: on SQLite it would block the schedulers' writes
    return value


def status(db, rid):
    return read(db, select(Reminder.status).where(Reminder.id == rid))


def test_two_schedulers_then_kill_minus_9(app, committing_db, tmp_path):
    s = committing_db.session
    members = [Member(employee_no=f"K{i}", name=f"会员{i}", roles=["member"]) for i in range(3)]
    s.add_all(members)
    s.commit()
    ids = [m.id for m in members]
    s.close()
    procs = [start_scheduler(app, tmp_path / f"s{i}.log") for i in range(2)]
    try:
        assert wait_for(lambda: read(committing_db, select(func.count()).select_from(SchedulerLease)) == 1)
        first = due_reminder(committing_db, ids)
        assert wait_for(lambda: status(committing_db, first) == "sent")
        holder = read(committing_db, select(SchedulerLease.holder))
        running = next(p for p in procs if holder.endswith(f":{p.pid}"))
        standby = next(p for p in procs if p is not running)
        standby_log = tmp_path / f"s{procs.index(standby)}.log"
        assert wait_for(lambda: "standing by" in standby_log.read_text())

        running.send_signal(signal.SIGKILL)
        running.wait()
        second = due_reminder(committing_db, ids)
        assert wait_for(lambda: status(committing_db, second) == "sent")  # the stand-by took over
        assert read(committing_db, select(SchedulerLease.holder)).endswith(f":{standby.pid}")
        assert read(committing_db, select(func.count()).select_from(Notice)) == 2  # one per reminder, none twice
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
