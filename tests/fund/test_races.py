"""Concurrent publication of one month, and concurrent reversals of one entry, with real commits (SQLite file
and PostgreSQL)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import time_machine
from sqlalchemy import func, select

from server.fund import services
from server.fund.chart import ensure_chart
from server.fund.models import FundEntry, FundMonth
from server.members.auth import issue_token
from server.members.models import Member

from .conftest import API, NOW


def _setup(app, db, n_admins: int):
    ensure_chart()
    treasurer = Member(employee_no="FR0001", name="会计", roles=["member", "treasurer"])
    admins = [Member(employee_no=f"FR1{i:03d}", name=f"管理员{i}", roles=["member", "admin"]) for i in range(n_admins)]
    db.session.add_all([treasurer, *admins])
    db.session.flush()
    original = services.create_entry(treasurer.id, date=date(2026, 11, 5), kind="expense", category="501",
                                     amount_fen=90_000, counterparty="城东蛋糕坊", note="蛋糕券")
    ids = (treasurer.id, [a.id for a in admins], original.id)
    db.session.commit()
    db.session.close()
    with app.test_request_context():
        tokens = {m: issue_token(m)[0] for m in [ids[0], *ids[1]]}
    return ids, tokens


def _run(app, jobs, call):
    barrier = threading.Barrier(len(jobs))

    def one(job):
        client = app.test_client()
        barrier.wait()
        r = call(client, job)
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def test_concurrent_publication_publishes_once(app, committing_db):
    db = committing_db
    with time_machine.travel(NOW, tick=False):
        (_t, admins, _e), tokens = _setup(app, db, 4)
        jobs = [tokens[a] for a in admins for _ in range(2)]  # 8 requests at once
        results = _run(app, jobs, lambda c, tok: c.post(f"{API}/fund/months/2026-11/publish",
                                                        headers={"Authorization": f"Bearer {tok}"}))
    assert Counter(s for s, _ in results) == {200: 1, 409: 7}, results
    assert {c for s, c in results if s == 409} == {"month_published"}
    assert db.session.scalar(select(func.count()).select_from(FundMonth)) == 1
    from server.fund.chain import verify

    assert verify() == (True, None)
    db.session.close()


def test_concurrent_reversals_never_exceed_the_entry(app, committing_db):
    db = committing_db
    with time_machine.travel(NOW, tick=False):
        (treasurer, admins, original), tokens = _setup(app, db, 1)
        # Six reversals of 40,000 fen each at once against 90,000: two fit, the rest are refused.
        jobs = [tokens[treasurer]] * 3 + [tokens[admins[0]]] * 3
        body = {"date": "2026-12-01", "kind": "expense", "category": "501", "amount_fen": 40_000,
                "counterparty": "城东蛋糕坊", "note": "退回", "reverses": original}
        results = _run(app, jobs, lambda c, tok: c.post(f"{API}/fund/entries", json=body,
                                                        headers={"Authorization": f"Bearer {tok}"}))
    assert Counter(s for s, _ in results) == {201: 2, 409: 4}, results
    assert {c for s, c in results if s == 409} == {"reversal_exceeds"}
    reversed_fen = db.session.scalar(select(FundEntry.reversed_fen).where(FundEntry.id == original))
    taken = db.session.scalar(select(func.sum(FundEntry.amount_fen)).where(FundEntry.reverses == original))
    db.session.close()
    assert reversed_fen == taken == 80_000
