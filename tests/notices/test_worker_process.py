"""A real `flask --app server worker` process killed with SIGKILL while its SMS request is in flight.

The fake SMS server logs each request as it arrives, then hangs it (``fail(delay=…)``), and only after
the hang decides the answer and records accepted messages in ``sent``. So while the worker waits, the
provider has accepted nothing, and what happens to the hung request after the kill is up to the test:
answered with an error (the provider never took it), or accepted (the provider took it but the worker
died before writing the outcome: the documented at-least-once window, docs/architecture.md).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from scripts.fake_sms import DEFAULT_SDK_APP_ID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from server.members.models import Member
from server.notices import services
from server.notices.delivery import Worker
from server.notices.models import Delivery
from server.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]
PHONES = [f"1381234{i:04d}" for i in range(5)]


def poll(check, timeout: float = 8.0, what: str = "condition", log: Path | None = None):
    """Wait for another process to get somewhere: check() until truthy, failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f"; worker log:\n{log.read_text()[-3000:]}" if log else ""))


@pytest.fixture
def sms_notice(committing_db):
    s = committing_db.session
    s.add_all(Member(employee_no=f"K{i:03d}", name=f"会员{i}", phone=p, roles=["member"]) for i, p in enumerate(PHONES))
    s.flush()
    n = services.create_notice(None, title="停水通知", body="周六全天停水。", channels=["sms"], audience={"all": True})
    services.send_notice(n.id)
    notice_id = n.id
    s.commit()
    s.close()
    return notice_id


@pytest.fixture
def worker_process(app, wechat_server, sms_server, tmp_path):
    """start() runs a worker program against the test database and the fake servers; killed at the end."""
    procs: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
               "WECHAT_API_BASE_URL": wechat_server.base_url, "SMS_PROVIDER": "tencent",
               "SMS_API_BASE_URL": sms_server.base_url, "SMS_SECRET_ID": DEFAULT_SECRET_ID,
               "SMS_SECRET_KEY": DEFAULT_SECRET_KEY, "SMS_SDK_APP_ID": DEFAULT_SDK_APP_ID,
               "SMS_NOTICE_TEMPLATE_ID": app.config["SMS_NOTICE_TEMPLATE_ID"],
               # Longer than the test: the worker must still be waiting on the provider when it dies.
               "SMS_TIMEOUT": "30", "DELIVERY_LEASE_SECONDS": str(app.config["DELIVERY_LEASE_SECONDS"])}
        log = tmp_path / f"worker{len(procs)}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "worker"], cwd=ROOT,
                                    env=env, stdout=out, stderr=subprocess.STDOUT)
        proc.log = log
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def rows(session, notice_id):
    """The notice's deliveries as plain tuples, reading outside any lasting transaction: on SQLite
    the test's session takes the write lock (BEGIN IMMEDIATE) and would hold the worker up."""
    try:
        return session.execute(select(Delivery.status, Delivery.claimed_by, Delivery.attempts, Delivery.sent_at,
                                      Delivery.lease_until).where(Delivery.notice_id == notice_id)
                               .order_by(Delivery.id)).all()
    finally:
        session.rollback()


def kill_mid_send(session, notice_id, proc, sms_server) -> None:
    """Wait until the worker has claimed the rows and its request hangs in the provider, then SIGKILL it."""
    def alive():
        if proc.poll() is not None:
            pytest.fail(f"the worker exited with {proc.returncode}:\n{proc.log.read_text()[-3000:]}")
        return True

    claimed = poll(lambda: alive() and [d for d in rows(session, notice_id) if d.claimed_by], what="the claim",
                   log=proc.log)
    poll(lambda: alive() and sms_server.requests, what="the SMS request", log=proc.log)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=5) == -signal.SIGKILL
    assert len(claimed) == len(PHONES)


def after_the_lease(app):
    return time_machine.travel(utcnow() + timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"] + 1))


def drain(worker: Worker) -> None:
    while worker.run_once():
        pass


def test_worker_killed_mid_send_loses_nothing_and_sends_once(app, committing_db, sms_notice, sms_server,
                                                             worker_process):
    # The provider hangs the request and then refuses it: it never accepted what the dead worker sent.
    sms_server.fail("tencent", delay=30, status=503)
    proc = worker_process()
    kill_mid_send(committing_db.session, sms_notice, proc, sms_server)

    after_kill = rows(committing_db.session, sms_notice)
    assert {(d.status, d.attempts, d.sent_at) for d in after_kill} == {("queued", 1, None)}
    assert all(d.claimed_by and d.lease_until > utcnow() for d in after_kill)

    sms_server.reset()  # the provider recovers; the hung request is answered 503 to a closed socket
    survivor = Worker(app, name="survivor")
    drain(survivor)
    assert sms_server.sent == []  # the lease holds: nobody takes the dead worker's rows early
    with after_the_lease(app):
        drain(survivor)

    assert sorted(s.phone for s in sms_server.sent) == sorted(PHONES)  # each member exactly once
    assert {(d.status, d.claimed_by, d.attempts) for d in rows(committing_db.session, sms_notice)} == {
        ("sent", "survivor", 2)}


def test_provider_accepting_after_the_kill_is_the_only_repeat(app, committing_db, sms_notice, sms_server,
                                                              worker_process):
    # The provider hangs the request and then accepts it, after the worker is gone: the one window
    # in which a message can go out twice (nobody is left to write "sent").
    sms_server.fail("tencent", delay=30)
    proc = worker_process()
    kill_mid_send(committing_db.session, sms_notice, proc, sms_server)

    sms_server.release_held()  # the provider recovers and accepts the hung request, the worker long gone
    poll(lambda: len(sms_server.sent) == len(PHONES), what="the late acceptance")
    assert {d.status for d in rows(committing_db.session, sms_notice)} == {"queued"}  # the outcome was lost
    with after_the_lease(app):
        drain(Worker(app, name="survivor"))

    received = sorted(s.phone for s in sms_server.sent)
    assert received == sorted(PHONES * 2)  # twice, only the batch that was in flight, and nothing lost
    counts = dict(committing_db.session.execute(select(Delivery.status, func.count())
                                                .where(Delivery.notice_id == sms_notice)
                                                .group_by(Delivery.status)).all())
    assert counts == {"sent": len(PHONES)}
