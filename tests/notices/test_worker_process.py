"""Real `flask --app server worker` processes killed with SIGKILL while their provider calls are in flight.

The fakes hold a request either before acting on it (``fail(delay=…)``: the provider never accepted it)
or after accepting it (``after=True``: the message is out, the worker does not know). Which one happened
is what reconciliation must find out (docs/delivery.md); the tests count on the fakes' side.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from scripts.fake_sms import DEFAULT_SDK_APP_ID, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from server.core.timeutil import utcnow
from server.members.models import Member, WechatUser
from server.notices import services
from server.notices.delivery import Worker
from server.notices.models import Delivery, Notice, SubscriptionQuota

ROOT = Path(__file__).resolve().parents[2]
PHONES = [f"1381234{i:04d}" for i in range(5)]


def poll(check, timeout: float = 30.0, what: str = "condition", log: Path | None = None):
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

    def start(**extra: str) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
               "WECHAT_API_BASE_URL": wechat_server.base_url, "SMS_PROVIDER": "tencent",
               "SMS_API_BASE_URL": sms_server.base_url, "SMS_SECRET_ID": DEFAULT_SECRET_ID,
               "SMS_SECRET_KEY": DEFAULT_SECRET_KEY, "SMS_SDK_APP_ID": DEFAULT_SDK_APP_ID,
               "SMS_NOTICE_TEMPLATE_ID": app.config["SMS_NOTICE_TEMPLATE_ID"],
               # Longer than the test: the worker must still be waiting on the provider when it dies.
               "SMS_TIMEOUT": "120", "WECHAT_TIMEOUT": "120",
               "DELIVERY_LEASE_SECONDS": str(app.config["DELIVERY_LEASE_SECONDS"]), **extra}
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


def after_the_report_wait(app):
    """Past the time a delivery report would have come for a message the provider had accepted."""
    return time_machine.travel(utcnow() + timedelta(seconds=app.config["DELIVERY_REPORT_WAIT_SECONDS"] + 5))


def drain(*workers: Worker) -> None:
    """Run the workers (each in its own thread, as separate processes would) until nothing is left."""
    def loop(w: Worker) -> None:
        while w.run_once():
            pass

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def by_status(session, notice_id, channel=None) -> dict[str, int]:
    try:
        q = select(Delivery.status, func.count()).where(Delivery.notice_id == notice_id)
        if channel:
            q = q.where(Delivery.channel == channel)
        return dict(session.execute(q.group_by(Delivery.status)).all())
    finally:
        session.rollback()


def test_worker_killed_before_the_provider_took_it_sends_once_after_the_report_wait(
        app, committing_db, sms_notice, sms_server, worker_process):
    # The provider holds the request and then refuses it: it never accepted what the dead worker sent.
    sms_server.fail("tencent", delay=120, status=503)
    proc = worker_process()
    kill_mid_send(committing_db.session, sms_notice, proc, sms_server)

    after_kill = rows(committing_db.session, sms_notice)
    # The kill left a trace: the rows were handed to the provider, the outcome is not known.
    assert {(d.status, d.attempts) for d in after_kill} == {("sending", 1)}
    assert all(d.sent_at and d.lease_until > utcnow() for d in after_kill)

    sms_server.abandon_held()  # the provider recovers; the held request is answered 503 to a closed socket
    survivor = Worker(app, name="survivor")
    drain(survivor)
    assert sms_server.sent == []  # the lease holds: nobody touches the dead worker's rows early
    with after_the_lease(app):
        drain(survivor)
    # No report yet, but one may still come: nothing is sent again before the report wait is over.
    assert sms_server.sent == []
    assert {d.status for d in rows(committing_db.session, sms_notice)} == {"sending"}
    with after_the_report_wait(app):
        drain(survivor)

    assert sorted(s.phone for s in sms_server.sent) == sorted(PHONES)  # each member exactly once
    assert {(d.status, d.claimed_by, d.attempts) for d in rows(committing_db.session, sms_notice)} == {
        ("sent", "survivor", 2)}


def test_worker_killed_after_the_provider_took_it_is_reconciled_not_resent(
        app, committing_db, sms_notice, sms_server, worker_process):
    # The provider accepts the request, then holds the answer: the worker dies not knowing. This was the
    # window in which a whole request went out twice.
    sms_server.fail("tencent", delay=120, after=True)
    proc = worker_process()
    kill_mid_send(committing_db.session, sms_notice, proc, sms_server)
    assert sorted(s.phone for s in sms_server.sent) == sorted(PHONES)
    assert {d.status for d in rows(committing_db.session, sms_notice)} == {"sending"}

    sms_server.abandon_held()
    with after_the_lease(app):
        drain(Worker(app, name="survivor"))

    assert sorted(s.phone for s in sms_server.sent) == sorted(PHONES)  # nothing sent twice
    serials = {s.serial_no for s in sms_server.sent}
    assert {(d.status, d.attempts) for d in rows(committing_db.session, sms_notice)} == {("sent", 1)}
    try:
        assert set(committing_db.session.scalars(select(Delivery.provider_id)
                                                 .where(Delivery.notice_id == sms_notice))) == serials
        assert committing_db.session.get(Notice, sms_notice).status == "sent"
    finally:
        committing_db.session.rollback()


MEMBERS = 30
WITH_WECHAT = 12
PUSH = "cgi-bin/message/subscribe/send"


@pytest.fixture
def push_and_sms_notice(app, committing_db, wechat_server):
    """A notice on push and SMS to 30 members, 12 of whom have WeChat with a consent."""
    s = committing_db.session
    template = app.config["WECHAT_NOTICE_TEMPLATE_ID"]
    members = [Member(employee_no=f"KK{i:03d}", name=f"会员{i}", phone=f"1391234{i:04d}", roles=["member"])
               for i in range(MEMBERS)]
    s.add_all(members)
    s.flush()
    for m in members[:WITH_WECHAT]:
        s.add(WechatUser(openid=f"o-{m.employee_no}", member_id=m.id))
        s.add(SubscriptionQuota(member_id=m.id, template_id=template, remaining=1))
        wechat_server.grant(f"o-{m.employee_no}", template, 1)
    s.flush()
    n = services.create_notice(None, title="厂区停电通知", body="周日全天检修。", channels=["push", "sms"],
                               audience={"all": True})
    services.send_notice(n.id)
    notice_id = n.id
    s.commit()
    s.close()
    return notice_id


def test_several_workers_killed_several_times_send_each_message_once(
        app, committing_db, push_and_sms_notice, wechat_server, sms_server, worker_process):
    nid, session = push_and_sms_notice, committing_db.session
    env = {"DELIVERY_BATCH": "6", "DELIVERY_THREADS": "3", "SMS_RATE_PER_SECOND": "1000",
           "PUSH_RATE_PER_SECOND": "1000"}

    def kill_when_held(procs, pushes: int, sms: int) -> None:
        def held():
            for p in procs:
                if p.poll() is not None:
                    pytest.fail(f"a worker exited with {p.returncode}:\n{p.log.read_text()[-3000:]}")
            return wechat_server.held == pushes and sms_server.held == sms
        try:
            poll(held, timeout=90, what=f"{pushes} pushes and {sms} SMS requests held")
        except AssertionError as e:
            claims = rows(session, nid)
            others = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.notice_id != nid))
            session.rollback()
            raise AssertionError(f"{e}: held {wechat_server.held} pushes, {sms_server.held} SMS; rows "
                                 f"{Counter((d.status, d.claimed_by) for d in claims)}; {others} rows of other "
                                 f"notices; logs:\n"
                                 + "\n".join(p.log.read_text()[-2000:] for p in procs)) from None
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            assert p.wait(timeout=5) == -signal.SIGKILL

    # Round 1: WeChat and the SMS provider accept every call, then hold the answers. Three workers take
    # the first three batches of 6 (the 12 pushes, then 6 SMS) and die with 3 pushes each and one SMS
    # request of 6 numbers in flight.
    wechat_server.fail(PUSH, delay=120, after=True)
    sms_server.fail("tencent", delay=120, after=True)
    kill_when_held([worker_process(**env) for _ in range(3)], pushes=6, sms=1)
    # Round 2: the SMS provider holds requests before acting on them. Two more workers take the next two
    # SMS batches and die too.
    sms_server.fail("tencent", delay=120)
    kill_when_held([worker_process(**env) for _ in range(2)], pushes=6, sms=3)

    # What the kills left: 6 pushes and 6 SMS accepted with nobody to write it down, 12 SMS requested but
    # never accepted, all `sending`; 6 pushes claimed but never started.
    assert len(wechat_server.sent) == 6 and len(sms_server.sent) == 6
    assert by_status(session, nid, "push") == {"sending": 6, "queued": 6, "skipped": MEMBERS - WITH_WECHAT}
    assert by_status(session, nid, "sms") == {"sending": 18, "queued": 12}
    wechat_server.abandon_held()  # the providers recover; held requests are answered 503 to dead sockets
    sms_server.abandon_held()

    # The workers are restarted once the dead ones' leases ran out.
    restarted = [Worker(app, name=f"restarted-{i}") for i in range(2)]
    with after_the_lease(app):
        drain(*restarted)
    # The accepted SMS are found in the provider's reports, the pushes are marked unknown, the untouched
    # rows are sent; the 12 SMS the provider never took wait for the report wait, not resent yet.
    assert len(sms_server.sent) == 6 + 12
    assert by_status(session, nid, "sms") == {"sending": 12, "sent": 18}
    with after_the_report_wait(app):
        drain(*restarted)

    # Counted on the providers' side: every member got the SMS exactly once, nobody got a push twice.
    assert Counter(s.phone for s in sms_server.sent) == {f"1391234{i:04d}": 1 for i in range(MEMBERS)}
    pushed = Counter(m["touser"] for m in wechat_server.sent)
    assert max(pushed.values()) == 1 and len(pushed) == WITH_WECHAT
    try:
        push_rows = dict(session.execute(select(WechatUser.openid, Delivery.status)
                                         .join(Delivery, Delivery.member_id == WechatUser.member_id)
                                         .where(Delivery.notice_id == nid, Delivery.channel == "push")).all())
        # Every push WeChat accepted is recorded sent, or unknown where a kill hid the answer.
        assert {push_rows[o] for o in pushed} == {"sent", "unknown"}
        assert Counter(push_rows.values()) == {"sent": 6, "unknown": 6}
        stats = services.stats(session.get(Notice, nid))
        assert session.get(Notice, nid).status == "sent"
    finally:
        session.rollback()
    push, sms = stats["by_channel"]["push"], stats["by_channel"]["sms"]
    assert (push["sent"], push["unknown"], push["skipped"]) == (6, 6, MEMBERS - WITH_WECHAT)
    assert (sms["sent"], sms["duplicate"], sms["sending"], sms["queued"]) == (MEMBERS, 0, 0, 0)
    assert sum(push.values()) == sum(sms.values()) == MEMBERS
