"""The decision happens once and a representative confirms once, under concurrent requests with real commits
(SQLite file and PostgreSQL)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from server.audit_trail.models import AuditTrailEntry
from server.fund.chart import ensure_chart
from server.members.auth import issue_token
from server.members.models import Member
from server.procurements import services
from server.procurements.models import Procurement

API = "/api/v1"


def _race(app, calls):
    barrier = threading.Barrier(len(calls))

    def one(call):
        token, path, body = call
        client = app.test_client()
        barrier.wait()
        r = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_two_admins_decide_at_once_one_wins(app, committing_db):
    db = committing_db
    admins = [Member(employee_no=f"PRA{i}", name=f"管理员{i}", roles=["member", "admin"]) for i in range(2)]
    db.session.add_all(admins)
    ensure_chart()
    db.session.flush()
    p = services.create(admins[0].id, title="打印机", description="", category="503", amount_fen=300_000,
                        representatives=[], notify=False)
    q1 = services.add_quote(admins[0].id, p.id, supplier="甲", amount_fen=290_000, note="", attachments=[])
    q2 = services.add_quote(admins[0].id, p.id, supplier="乙", amount_fen=295_000, note="", attachments=[])
    pid, quotes = p.id, [q1.id, q2.id]
    db.session.commit()
    with app.test_request_context():
        tokens = [issue_token(a.id)[0] for a in admins]
    db.session.close()
    path = f"{API}/fund/procurements/{pid}/decide"
    results = _race(app, [(tokens[i], path, {"quote_id": quotes[i], "reason": f"理由{i}"}) for i in range(2)])
    assert Counter(results) == {(200, None): 1, (409, "procurement_decided"): 1}, results
    row = db.session.get(Procurement, pid)
    decisions = db.session.scalar(select(func.count()).select_from(AuditTrailEntry)
                                  .where(AuditTrailEntry.entity == "procurement", AuditTrailEntry.action == "decide"))
    assert row.status == "decided" and decisions == 1
    db.session.close()


def test_a_representative_confirming_from_two_devices_confirms_once(app, committing_db):
    db = committing_db
    admin = Member(employee_no="PRC0", name="管理员", roles=["member", "admin"])
    rep = Member(employee_no="PRC1", name="代表", roles=["member"])
    db.session.add_all([admin, rep])
    ensure_chart()
    db.session.flush()
    p = services.create(admin.id, title="空调", description="", category="503", amount_fen=3_000_000,
                        representatives=[rep.id], notify=False)
    pid = p.id
    db.session.commit()
    with app.test_request_context():
        token = issue_token(rep.id)[0]
    db.session.close()
    path = f"{API}/fund/procurements/{pid}/confirm"
    results = _race(app, [(token, path, None)] * 3)
    assert Counter(results) == {(200, None): 1, (409, "already_confirmed"): 2}, results
    confirmations = db.session.scalar(select(func.count()).select_from(AuditTrailEntry)
                                      .where(AuditTrailEntry.entity == "procurement_confirmation"))
    assert confirmations == 1
    db.session.close()
