"""Two staff opening the same audit at once: one checklist, the other 409 audit_exists (real commits)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from server.audits.models import Audit, AuditItem
from server.members.auth import issue_token
from server.members.models import Member

API = "/api/v1"


def test_one_audit_per_kind_and_period_under_concurrent_requests(app, committing_db):
    db = committing_db
    staff = [Member(employee_no=f"AUDR{i}", name=f"干事{i}", roles=["member", "staff"]) for i in range(3)]
    db.session.add_all(staff)
    db.session.commit()
    ids = [m.id for m in staff]
    db.session.close()
    with app.test_request_context():
        tokens = [issue_token(i)[0] for i in ids]
    barrier = threading.Barrier(len(tokens))

    def one(token):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/audits", headers={"Authorization": f"Bearer {token}"},
                        json={"kind": "procedure_annual", "period": "2025"})
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        results = list(pool.map(one, tokens))
    assert Counter(s for s, _ in results) == {201: 1, 409: 2}, results
    assert {c for s, c in results if s == 409} == {"audit_exists"}
    audits = db.session.scalar(select(func.count()).select_from(Audit))
    items = db.session.scalar(select(func.count()).select_from(AuditItem))
    db.session.close()
    assert (audits, items) == (1, 7)
