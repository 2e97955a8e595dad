"""Observability: JSON log lines with request ids (and none at all on the anonymous routes), /metrics and
/healthz/details with their access rule and values read from real rows, and the delivery workers' heartbeats."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from server.core.logs import JsonFormatter
from server.core.timeutil import utcnow
from server.improvements.models import Improvement
from server.member_requests.models import Request
from server.members.auth import issue_token
from server.members.models import WechatUser
from server.notices import services as notices
from server.notices.delivery import Worker
from server.notices.models import HEARTBEAT_SECONDS, Delivery, Notice, WorkerHeartbeat
from server.reminders.models import SchedulerLease
from tests.surveys.conftest import answers, survey_body
from tests.votes.conftest import vote_body

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=utcnow().tzinfo)


@pytest.fixture
def log_lines(caplog):
    """Every log line written while the test runs, as our JSON formatter writes it (in the request, so the
    request id is the one of the moment), returned parsed by calling the fixture."""
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def request_lines(lines):
    return [doc for doc in lines if doc["logger"] == "server.request"]


def scrape(client, **kw) -> dict[tuple[str, tuple], float]:
    r = client.get("/metrics", **kw)
    assert r.status_code == 200, r.data
    assert r.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.get_data(as_text=True)) for s in family.samples}


# --- logs ----------------------------------------------------------------------------------------------

def test_json_lines_parse_and_carry_the_given_or_a_new_request_id(client, log_lines):
    r = client.get(f"{API}/ping", headers={"X-Request-Id": "edge-7f3a.42"})
    assert r.headers["X-Request-Id"] == "edge-7f3a.42"
    r2 = client.get(f"{API}/ping", headers={"X-Request-Id": "no spaces or quotes\" allowed"})
    generated = r2.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    r3 = client.get(f"{API}/ping")
    assert re.fullmatch(r"[0-9a-f]{32}", r3.headers["X-Request-Id"]) and r3.headers["X-Request-Id"] != generated

    first, second, third = request_lines(log_lines())
    assert first["request_id"] == "edge-7f3a.42" and second["request_id"] == generated
    assert third["request_id"] == r3.headers["X-Request-Id"]
    assert {k: first[k] for k in ("level", "logger", "method", "endpoint", "status")} == {
        "level": "INFO", "logger": "server.request", "method": "GET", "endpoint": "health.ping", "status": 200}
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert datetime.fromisoformat(first["time"]).utcoffset() == timedelta(0)
    assert first["message"].startswith("GET health.ping 200 ")


def test_lines_logged_during_a_request_carry_its_id_and_errors_keep_theirs(client, app, log_lines, monkeypatch):
    # A METRICS_ALLOW entry that is no address is logged as a warning while /metrics answers.
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "127.0.0.1, not-an-address")
    r = client.get("/metrics", headers={"X-Request-Id": "scrape-1"})
    assert r.status_code == 200
    warning = next(d for d in log_lines() if d["logger"] == "server.metrics")
    assert warning["level"] == "WARNING" and warning["request_id"] == "scrape-1"
    # A refused request and an unknown path are timed, logged and answered with their id too.
    r = client.get(f"{API}/no-such-thing", headers={"X-Request-Id": "lost-1"})
    assert r.status_code == 404 and r.headers["X-Request-Id"] == "lost-1"
    last = request_lines(log_lines())[-1]
    assert (last["endpoint"], last["status"], last["request_id"]) == ("unmatched", 404, "lost-1")


def test_workers_and_the_scheduler_log_json_when_configured(tmp_path):
    """`flask worker` and `flask scheduler` build the app with create_app, which installs the format: a real
    delivery worker started and stopped in a fresh process writes JSON lines."""
    code = ("from server import create_app\n"
            "from server.core.extensions import db\n"
            "from server.notices.delivery import Worker\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    db.create_all()\n"
            "w = Worker(app, name='w-json')\n"
            "w.stopping.set()\n"
            "w.run()\n")
    env = {**os.environ, "LOG_FORMAT": "json", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "APP_ENV": "development"}
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(d["logger"], d["message"]) for d in lines] == [
        ("server.notices.delivery", "delivery worker w-json started"),
        ("server.notices.delivery", "delivery worker w-json stopped")]


def test_anonymous_routes_leave_no_request_line_id_or_timing(client, app, db, make, auth, log_lines):
    """Suggestions and receipt look-ups, an anonymous survey answer and a ballot: no request id in the
    answer, no request line, no log line naming their path, and no latency sample (docs/anonymity.md)."""
    staff = make.staff(department="工会办公室")
    member = make.member()
    user = WechatUser(openid="o-obs-anon-1", member_id=member.id)
    db.session.add(user)
    db.session.flush()
    with app.test_request_context():
        token = issue_token(member.id, user.id)[0]
    signed_in = {"Authorization": f"Bearer {token}", "X-Request-Id": "anon-trace-1"}

    survey = client.post(f"{API}/surveys", json=survey_body(anonymous=True), headers=auth(staff)).get_json()
    assert client.post(f"{API}/surveys/{survey['id']}/publish", headers=auth(staff)).status_code == 200
    vote = client.post(f"{API}/votes", json=vote_body(), headers=auth(staff)).get_json()
    assert client.post(f"{API}/votes/{vote['id']}/publish", headers=auth(staff)).status_code == 200
    before = scrape(client)
    staff_lines = len(request_lines(log_lines()))
    assert staff_lines == 5  # the staff's four requests and the scrape are logged: the capture works

    answered = []
    r = client.post(f"{API}/suggestions", headers=signed_in,
                    json={"category": "pay_benefits", "title": "加班费", "content": "三班倒的加班费算错了"})
    assert r.status_code == 201, r.get_json()
    answered.append(r)
    receipt = {"X-Receipt": r.get_json()["receipt"], "X-Request-Id": "anon-trace-1"}
    answered.append(client.get(f"{API}/suggestions/mine", headers=receipt))
    answered.append(client.post(f"{API}/suggestions/mine/messages", headers=receipt, json={"body": "补充：十月"}))
    answered.append(client.get(f"{API}//suggestions/mine", headers=receipt))  # a doubled slash too
    answered.append(client.post(f"{API}/surveys/{survey['id']}/responses", json=answers(), headers=signed_in))
    answered.append(client.post(f"{API}/votes/{vote['id']}/ballots",
                                json={"choices": [vote["candidates"][0]["id"]]}, headers=signed_in))
    answered.append(client.post(f"{API}/votes/{vote['id']}/ballots", json={"choices": []}, headers=signed_in))
    assert [r.status_code for r in answered] == [201, 200, 201, 308, 201, 201, 400]
    assert all("X-Request-Id" not in r.headers for r in answered)

    lines = log_lines()
    assert len(request_lines(lines)) == staff_lines  # nothing since
    text = "\n".join(json.dumps(d, ensure_ascii=False) for d in lines)
    for trace in ("anon-trace-1", "suggestions", "responses", "ballots", "suggestion.", "votes.cast"):
        assert trace not in text
    after = scrape(client)
    timed = {dict(labels)["endpoint"] for (name, labels) in after
             if name == "unionhub_http_request_duration_seconds_count"}
    assert not {e for e in timed if e.startswith("suggestions.") or "ballot" in e or "respon" in e}
    moved = {k for k in after if k[0] == "unionhub_http_request_duration_seconds_count" and after[k] != before.get(k)}
    assert moved == {("unionhub_http_request_duration_seconds_count",
                      (("endpoint", "metrics.metrics"), ("status", "2xx")))}


# --- /metrics ------------------------------------------------------------------------------------------

def test_metrics_only_for_allowed_addresses_or_the_token(client, app, db, monkeypatch):
    foreign = {"REMOTE_ADDR": "203.0.113.9"}
    r = client.get("/metrics", environ_base=foreign)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert client.get("/healthz/details", environ_base=foreign).status_code == 404
    assert client.get("/metrics").status_code == 200  # the test client's 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    # Through a proxy the app was not told about, the address is the proxy's own and proves nothing.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404

    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-scrape-token-0123456789")
    assert client.get("/metrics", environ_base=foreign,
                      headers={"Authorization": "Bearer s3cret-scrape-token-0123456789"}).status_code == 200
    assert client.get("/metrics", environ_base=foreign,
                      headers={"Authorization": "Bearer s3cret-scrape-token-012345678"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "10.0.0.0/8")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics").status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")
    assert client.get("/metrics", environ_base=foreign, headers={"Authorization": "Bearer "}).status_code == 404


def test_request_latency_by_endpoint_and_status_class(client):
    key = ("unionhub_http_request_duration_seconds_count", (("endpoint", "health.ping"), ("status", "2xx")))
    missing = ("unionhub_http_request_duration_seconds_count", (("endpoint", "unmatched"), ("status", "4xx")))
    before = scrape(client)
    client.get(f"{API}/ping")
    client.get(f"{API}/ping")
    client.get(f"{API}/nowhere")
    after = scrape(client)
    assert after[key] - before.get(key, 0) == 2
    assert after[missing] - before.get(missing, 0) == 1


def _delivery(notice_id, member_id, channel, status, next_attempt_at):
    return Delivery(notice_id=notice_id, member_id=member_id, channel=channel, status=status,
                    next_attempt_at=next_attempt_at, created_at=next_attempt_at)


def test_metric_values_reflect_the_rows(client, db, make):
    owner = make.member()
    with time_machine.travel(NOW, tick=False):
        recent = Notice(title="t", body="b", channels=["push", "sms"], audience={}, status="sent", planned_at=NOW)
        old = Notice(title="t", body="b", channels=["sms"], audience={}, status="sent",
                     planned_at=NOW - timedelta(days=3))
        db.session.add_all([recent, old])
        db.session.flush()
        db.session.add_all([
            _delivery(recent.id, 1, "push", "queued", NOW - timedelta(seconds=90)),
            _delivery(recent.id, 2, "push", "queued", NOW - timedelta(seconds=5)),
            _delivery(recent.id, 3, "sms", "queued", NOW + timedelta(minutes=10)),
            _delivery(recent.id, 4, "sms", "sent", NOW - timedelta(minutes=1)),
            _delivery(recent.id, 5, "sms", "failed", NOW - timedelta(minutes=1)),
            _delivery(recent.id, 6, "sms", "sent", NOW - timedelta(minutes=1)),
            _delivery(old.id, 1, "sms", "failed", NOW - timedelta(days=3)),  # outside the day's window
            SchedulerLease(name="scheduler", holder="sched-host:4242", expires_at=NOW + timedelta(seconds=20)),
        ])
        base = {"member_id": owner.id, "category": "welfare", "title": "食堂", "content": "饭菜凉了"}
        db.session.add_all([
            # First response overdue (and so resolution not yet): open, nobody answered.
            Request(**base, status="submitted", first_response_due_at=NOW - timedelta(hours=1),
                    resolve_due_at=NOW + timedelta(days=5)),
            # Answered in time, resolution overdue.
            Request(**base, status="accepted", first_response_due_at=NOW - timedelta(days=9),
                    first_response_at=NOW - timedelta(days=9), resolve_due_at=NOW - timedelta(hours=2)),
            # Both overdue.
            Request(**base, status="reopened", first_response_due_at=NOW - timedelta(days=1),
                    resolve_due_at=NOW - timedelta(hours=3)),
            # Closed late: no longer a breach.
            Request(**base, status="closed", first_response_due_at=NOW - timedelta(days=20),
                    resolve_due_at=NOW - timedelta(days=10), closed_at=NOW - timedelta(days=1)),
        ])
        item = {"title": "整改", "owner_id": owner.id, "due_date": NOW.date()}
        db.session.add_all([
            Improvement(**item, due_at=NOW - timedelta(hours=1), warn_at=NOW - timedelta(days=3)),
            Improvement(**item, due_at=NOW + timedelta(days=1), warn_at=NOW),
            Improvement(**item, due_at=NOW - timedelta(days=2), warn_at=NOW - timedelta(days=5),
                        status="done", result="完成"),
        ])
        db.session.flush()
        m = scrape(client)

    assert m[("unionhub_database_up", ())] == 1
    assert m[("unionhub_outbox_queued", (("due", "now"),))] == 2
    assert m[("unionhub_outbox_queued", (("due", "later"),))] == 1
    assert m[("unionhub_outbox_oldest_due_age_seconds", ())] == 90
    recent_counts = {dict(labels)["channel"] + "/" + dict(labels)["status"]: v
                     for (name, labels), v in m.items() if name == "unionhub_deliveries_recent"}
    assert recent_counts == {"push/queued": 2, "sms/queued": 1, "sms/sent": 2, "sms/failed": 1}
    assert m[("unionhub_scheduler_lease_holder", (("holder", "sched-host:4242"),))] == 1
    assert m[("unionhub_scheduler_lease_expires_in_seconds", ())] == 20
    assert m[("unionhub_scheduler_lease_held", ())] == 1
    assert m[("unionhub_requests_overdue", (("clock", "first_response"),))] == 2
    assert m[("unionhub_requests_overdue", (("clock", "resolution"),))] == 2
    assert m[("unionhub_improvements_overdue", ())] == 1

    with time_machine.travel(NOW + timedelta(seconds=50), tick=False):
        later = scrape(client)
    assert later[("unionhub_scheduler_lease_expires_in_seconds", ())] == -30
    assert later[("unionhub_scheduler_lease_held", ())] == 0


# --- heartbeats and /healthz/details -----------------------------------------------------------------------

def test_worker_heartbeat_is_written_by_the_loop_and_goes_stale(app, client, db, make):
    member = make.member(phone="")  # no phone: the SMS is refused before any provider call
    with time_machine.travel(NOW, tick=False):
        db.session.add(WorkerHeartbeat(worker_id="gone-host:1", host="gone-host", pid=1,
                                       started_at=NOW - timedelta(days=3), last_seen_at=NOW - timedelta(days=2),
                                       processed=5))
        n = notices.create_notice(None, title="停水通知", body="周六停水", channels=["sms"],
                                  audience={"member_ids": [member.id]})
        notices.send_notice(n.id)
        db.session.flush()
        worker = Worker(app)
        assert worker.run_once() == 1
        assert not worker.run_once()

    beats = db.session.scalars(select(WorkerHeartbeat)).all()
    assert [(b.host, b.pid, b.processed, b.last_seen_at) for b in beats] == [
        (beats[0].host, os.getpid(), 1, NOW)]  # the day-old row is gone
    assert beats[0].worker_id == f"{beats[0].host}:{os.getpid()}" and beats[0].started_at == NOW

    # At most one write per HEARTBEAT_SECONDS, then the next turn of the loop writes again.
    with time_machine.travel(NOW + timedelta(seconds=HEARTBEAT_SECONDS - 1), tick=False):
        worker.run_once()
    db.session.expire_all()
    assert db.session.scalar(select(WorkerHeartbeat.last_seen_at)) == NOW
    with time_machine.travel(NOW + timedelta(seconds=HEARTBEAT_SECONDS), tick=False):
        worker.run_once()
        db.session.add(SchedulerLease(name="scheduler", holder="sched-host:7", expires_at=NOW + timedelta(minutes=1)))
        db.session.flush()
        fresh = client.get("/healthz/details")
    db.session.expire_all()
    assert db.session.scalar(select(WorkerHeartbeat.last_seen_at)) == NOW + timedelta(seconds=HEARTBEAT_SECONDS)
    assert fresh.status_code == 200, fresh.get_json()
    body = fresh.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert (body["workers"]["alive"], body["workers"]["stale"]) == (1, 0)
    assert body["scheduler"] == {"holder": "sched-host:7", "expires_at": (NOW + timedelta(minutes=1)).isoformat(),
                                 "held": True}
    assert body["outbox"] == {"queued_due_now": 0, "queued_later": 0, "oldest_due_age_seconds": 0.0}

    # Two intervals and a second without a beat: stale, and the page says degraded.
    with time_machine.travel(NOW + timedelta(seconds=3 * HEARTBEAT_SECONDS + 1), tick=False):
        stale = client.get("/healthz/details")
        m = scrape(client)
    assert stale.status_code == 200
    body = stale.get_json()
    assert body["status"] == "degraded"
    assert (body["workers"]["alive"], body["workers"]["stale"]) == (0, 1)
    (listed,) = body["workers"]["list"]
    assert listed["alive"] is False and listed["last_seen_seconds"] == 2 * HEARTBEAT_SECONDS + 1
    assert listed["processed"] == 1
    assert m[("unionhub_workers", (("state", "alive"),))] == 0
    assert m[("unionhub_workers", (("state", "stale"),))] == 1
    assert m[("unionhub_worker_last_seen_seconds", (("worker", listed["worker"]),))] == 2 * HEARTBEAT_SECONDS + 1
    assert m[("unionhub_worker_processed_total", (("worker", listed["worker"]),))] == 1

    # A worker stopped on purpose takes its row with it: only one that died is left to go stale.
    worker.stopping.set()
    worker.run()
    assert db.session.scalars(select(WorkerHeartbeat)).all() == []


def test_health_details_counts_the_oldest_queued_delivery(client, db):
    with time_machine.travel(NOW, tick=False):
        db.session.add(_delivery(1, 1, "push", "queued", NOW - timedelta(minutes=4)))
        db.session.flush()
        body = client.get("/healthz/details").get_json()
    assert body["outbox"] == {"queued_due_now": 1, "queued_later": 0, "oldest_due_age_seconds": 240.0}
    assert body["scheduler"]["held"] is False and body["status"] == "degraded"
    assert "redis" not in body  # not configured
    # The load balancer's probe stays as it was: cheap, public, database only.
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"}).get_json() == {
        "status": "ok", "database": "ok"}


def test_a_database_that_does_not_answer_is_reported_not_raised(tmp_path):
    from server import create_app

    broken = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-dir' / 'union.db'}",
                         "SECRET_KEY": "test-secret-key-" + "x" * 32, "TESTING": True})
    client = broken.test_client()
    m = scrape(client)
    assert m[("unionhub_database_up", ())] == 0
    assert not any(name.startswith("unionhub_outbox") for name, _ in m)
    r = client.get("/healthz/details")
    assert r.status_code == 503
    assert (r.get_json()["status"], r.get_json()["database"]) == ("degraded", "unavailable")
