"""Suggestions and receipt replies are held sealed and filed in shuffled batches, so the order rows were
written in (SQLite rowid, PostgreSQL xmin and ctid, and the ids) cannot be matched to the members.

The attack tested is the one a reader with plain SELECT rights would try: members sign up for an event
(a row with their id and exact time) and then write a suggestion, one after another in a known order;
afterwards the suggestion rows are listed in physical order and matched to the members' order.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select, text

from server.core.timeutil import SHANGHAI
from server.members.auth import issue_token
from server.suggestions import services
from server.suggestions.jobs import file_held_writes
from server.suggestions.models import HeldWrite, Suggestion, SuggestionMessage
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[2]
# With 80 rows a shuffle's rank correlation has a standard deviation of about 0.11, so 0.6 is over five
# of them (a chance failure well under one in a million), while any order that leaks gives about 1.
MEMBERS = 80
MAX_CORRELATION = 0.6


def rank_correlation(order: list[int]) -> float:
    """Spearman's rho between 0..n-1 and the positions in ``order`` (a permutation of 0..n-1)."""
    n = len(order)
    return 1 - 6 * sum((pos - who) ** 2 for pos, who in enumerate(order)) / (n * (n * n - 1))


def physical_orders(conn, table: str) -> dict[str, list[str]]:
    """The table's ids in every order a reader can see without the application's keys."""
    orders = {"id": list(conn.execute(text(f"SELECT id FROM {table} ORDER BY id")).scalars())}
    if conn.dialect.name == "sqlite":
        orders["rowid"] = list(conn.execute(text(f"SELECT id FROM {table} ORDER BY rowid")).scalars())
    else:
        orders["ctid"] = list(conn.execute(text(f"SELECT id FROM {table} ORDER BY ctid")).scalars())
    return orders


def xmins(conn, table: str) -> set[int]:
    return set(conn.execute(text(f"SELECT xmin::text::bigint FROM {table}")).scalars())


def test_filed_order_cannot_be_matched_to_the_members(app, committing_db, caplog):
    caplog.set_level(logging.DEBUG)
    make = Factory(committing_db)
    event = make.event(capacity=MEMBERS + 5)
    members = [make.member() for _ in range(MEMBERS)]
    committing_db.session.commit()
    event_id = event.id
    people = [(m.id, m.employee_no, m.phone) for m in members]
    with app.test_request_context():
        tokens = [issue_token(mid)[0] for mid, _, _ in people]
    committing_db.session.remove()
    client = app.test_client()

    # One after another: sign up (a row with the member's id), then write a suggestion.
    written: list[tuple[str, str]] = []
    for i, token in enumerate(tokens):
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post(f"/api/v1/events/{event_id}/registrations", headers=headers).status_code == 201
        r = client.post("/api/v1/suggestions", headers=headers, json={"category": "other", "content": f"意见{i}"})
        assert r.status_code == 201
        written.append((r.get_json()["id"], r.get_json()["receipt"]))
    with app.app_context():
        assert file_held_writes() == MEMBERS  # enough company: no waiting, no forcing
    # Then each replies with the receipt, in the same order (from their own phone's address).
    for i, (_, receipt) in enumerate(written):
        r = client.post("/api/v1/suggestions/mine/messages", headers={"X-Receipt": receipt}, json={"body": f"补充{i}"},
                        environ_base={"REMOTE_ADDR": f"203.0.113.{i + 1}"})
        assert r.status_code == 201, r.get_json()
    with app.app_context():
        assert file_held_writes() == MEMBERS

    who = {sid: i for i, (sid, _) in enumerate(written)}
    with committing_db.engine.connect() as conn:
        reply_of = dict(conn.execute(text("SELECT id, suggestion_id FROM suggestion_messages")).all())
        member_of_reply = {m: who[s] for m, s in reply_of.items()}
        for table, member_of in (("suggestions", who), ("suggestion_messages", member_of_reply)):
            for name, ids in physical_orders(conn, table).items():
                assert len(ids) == MEMBERS
                rho = rank_correlation([member_of[i] for i in ids])
                assert abs(rho) < MAX_CORRELATION, (table, name, rho)
        if conn.dialect.name == "postgresql":
            # Each batch is one transaction, after every member's sign-up: xmin tells them apart no better.
            assert len(xmins(conn, "suggestions")) == 1 and len(xmins(conn, "suggestion_messages")) == 1
            assert max(xmins(conn, "registrations")) < min(xmins(conn, "suggestions"))
        assert conn.execute(select(func.count()).select_from(HeldWrite)).scalar() == 0
    for _, employee_no, phone in people:
        assert employee_no not in caplog.text and phone not in caplog.text


def test_receipt_holder_reads_at_once_and_staff_after_the_batch(app, client, db, make, auth, submit):
    start = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    later = start + timedelta(seconds=app.config["SUGGESTION_MAX_DELAY_SECONDS"])
    with time_machine.travel(start, tick=False):
        # Issued on the test's clock, not today's: a token from "after" the travel target is refused.
        staff = auth(make.staff())
        created = submit(title="更衣室", content="更衣室的柜子不够用").get_json()
        assert created["status"] == "new"
        mine = {"X-Receipt": created["receipt"]}
        r = client.get("/api/v1/suggestions/mine", headers=mine)
        assert r.status_code == 200
        assert r.get_json()["suggestion"]["id"] == created["id"]
        assert r.get_json()["suggestion"]["content"] == "更衣室的柜子不够用"
        assert r.get_json()["suggestion"]["submitted_on"] == "2026-12-03"
        r = client.post("/api/v1/suggestions/mine/messages", headers=mine, json={"body": "男更衣室"})
        assert r.status_code == 201
        thread = client.get("/api/v1/suggestions/mine", headers=mine).get_json()["messages"]
        assert [(m["from"], m["body"], m["created_at"]) for m in thread] == [
            ("submitter", "男更衣室", "2026-12-03T00:00:00+08:00")]
        # Staff do not see it yet, and a batch without company waits.
        assert client.get("/api/v1/suggestions", headers=staff).get_json()["total"] == 0
        assert client.get(f"/api/v1/suggestions/{created['id']}", headers=staff).status_code == 404
        assert services.file_held() == 0
    with time_machine.travel(later, tick=False):
        assert services.file_held() == 2  # it waited its longest: it goes out alone
        db.session.commit()
        inbox = client.get("/api/v1/suggestions", headers=staff).get_json()
        filed = [(i["id"], [m["body"] for m in i["messages"]]) for i in inbox["items"]]
        assert filed == [(created["id"], ["男更衣室"])]
        thread = client.get("/api/v1/suggestions/mine", headers=mine).get_json()["messages"]
        assert [m["body"] for m in thread] == ["男更衣室"]  # the same thread, nothing twice


def test_a_batch_goes_out_once_it_has_company(client, db, submit, make, auth):
    for _ in range(4):
        assert submit().status_code == 201
    assert services.file_held() == 0
    created = submit().get_json()
    assert services.file_held() == 5
    db.session.commit()
    assert services.file_held() == 0  # a second run files nothing twice
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 5
    # Replies keep their order within their thread, after what staff wrote meanwhile.
    mine = {"X-Receipt": created["receipt"]}
    for body in ("一", "二"):
        client.post("/api/v1/suggestions/mine/messages", headers=mine, json={"body": body})
    client.post(f"/api/v1/suggestions/{created['id']}/messages", json={"body": "收到"}, headers=auth(make.staff()))
    client.post("/api/v1/suggestions/mine/messages", headers=mine, json={"body": "三"})
    before = [m["body"] for m in client.get("/api/v1/suggestions/mine", headers=mine).get_json()["messages"]]
    assert before == ["收到", "一", "二", "三"]
    assert services.file_held(force=True) == 3
    db.session.commit()
    rows = db.session.scalars(select(SuggestionMessage).where(SuggestionMessage.suggestion_id == created["id"])
                              .order_by(SuggestionMessage.seq)).all()
    assert [(m.seq, m.body) for m in rows] == [(1, "收到"), (2, "一"), (3, "二"), (4, "三")]
    after = [m["body"] for m in client.get("/api/v1/suggestions/mine", headers=mine).get_json()["messages"]]
    assert after == before


def test_the_scheduler_runs_the_filing_job(app, committing_db):
    from server import scheduler

    assert scheduler.build_scheduler(app).get_job("suggestions").trigger.interval == timedelta(seconds=60)
    make = Factory(committing_db)
    members = [make.member() for _ in range(5)]
    committing_db.session.commit()
    with app.test_request_context():
        tokens = [issue_token(m.id)[0] for m in members]
    committing_db.session.remove()
    client = app.test_client()
    for token in tokens:
        assert client.post("/api/v1/suggestions", headers={"Authorization": f"Bearer {token}"},
                           json={"category": "other", "content": "班车"}).status_code == 201
    scheduler.file_suggestions()  # the job's body, as the scheduler process calls it
    with committing_db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Suggestion)).scalar() == 5
        assert conn.execute(select(func.count()).select_from(HeldWrite)).scalar() == 0


# A statement (or the commit) of the filing transaction at which the filing process is killed.
@pytest.mark.parametrize("pause_at", ["DELETE FROM suggestion_held_writes", "INSERT INTO suggestion_messages",
                                      "COMMIT"])
def test_killing_the_filing_process_loses_and_duplicates_nothing(app, committing_db, pause_at):
    make = Factory(committing_db)
    members = [make.member() for _ in range(6)]
    committing_db.session.commit()
    with app.test_request_context():
        tokens = [issue_token(m.id)[0] for m in members]
    committing_db.session.remove()
    client = app.test_client()
    receipts = []
    for i, token in enumerate(tokens):
        r = client.post("/api/v1/suggestions", headers={"Authorization": f"Bearer {token}"},
                        json={"category": "other", "content": f"第{i}条"})
        receipts.append(r.get_json()["receipt"])
    for receipt in receipts[:3]:
        assert client.post("/api/v1/suggestions/mine/messages", headers={"X-Receipt": receipt},
                           json={"body": "补充"}).status_code == 201
    committing_db.session.remove()

    child = (
        "import os, sys\n"
        "from sqlalchemy import event\n"
        "from server import create_app\n"
        "from server.core.extensions import db\n"
        "from server.suggestions.jobs import file_held_writes\n"
        "app = create_app({'DATABASE_URL': os.environ['TEST_FILING_DATABASE_URL']})\n"
        "pause_at = os.environ['PAUSE_AT']\n"
        "def pause(*_):\n"
        "    print('paused', flush=True)\n"
        "    sys.stdin.read()  # until killed\n"
        "with app.app_context():\n"
        "    if pause_at == 'COMMIT':\n"
        "        event.listen(db.engine, 'commit', lambda conn: pause())\n"
        "    else:\n"
        "        event.listen(db.engine, 'before_cursor_execute',\n"
        "                     lambda c, cur, stmt, *a: stmt.startswith(pause_at) and pause())\n"
        "    file_held_writes()\n"
        "print('filed', flush=True)\n"
    )
    env = {**os.environ, "TEST_FILING_DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "PAUSE_AT": pause_at}
    proc = subprocess.Popen([sys.executable, "-c", child], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "paused"
    finally:
        proc.kill()
        proc.wait()

    def counts():
        with committing_db.engine.connect() as conn:
            return tuple(conn.execute(select(func.count()).select_from(t)).scalar()
                         for t in (HeldWrite, Suggestion, SuggestionMessage))

    assert counts() == (9, 0, 0)  # nothing half-filed, nothing lost
    for receipt in receipts:
        assert client.get("/api/v1/suggestions/mine", headers={"X-Receipt": receipt}).status_code == 200
    with app.app_context():
        assert file_held_writes() == 9
        assert file_held_writes() == 0
    assert counts() == (0, 6, 3)
