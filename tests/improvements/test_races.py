"""Two staff completing the same item at once: one wins, the other is told 409 invalid_transition; with real
commits (SQLite file and PostgreSQL)."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.improvements import services
from server.improvements.models import Improvement, ImprovementEvent
from server.members.auth import issue_token
from server.members.models import Member

API = "/api/v1"


def test_two_staff_completing_at_once_complete_once(app, committing_db):
    db = committing_db
    staff = [Member(employee_no=f"IMPR{i}", name=f"干事{i}", roles=["member", "staff"]) for i in range(2)]
    owner = Member(employee_no="IMPRO", name="负责人", roles=["member"])
    db.session.add_all([*staff, owner])
    db.session.flush()
    item = services.create(staff[0].id, title="消防通道", owner_id=owner.id,
                           due_date=(utcnow() + timedelta(days=10)).date(), notify=False)
    iid, ids = item.id, [m.id for m in (*staff, owner)]
    db.session.commit()
    db.session.close()
    with app.test_request_context():
        tokens = [issue_token(i)[0] for i in ids]
    barrier = threading.Barrier(len(tokens))

    def one(token):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{API}/improvements/{iid}/complete", headers={"Authorization": f"Bearer {token}"},
                        json={"result": "已完成"})
        return r.status_code, (r.get_json().get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        results = list(pool.map(one, tokens))
    assert Counter(s for s, _ in results) == {200: 1, 409: 2}, results
    assert {c for s, c in results if s == 409} == {"invalid_transition"}
    assert db.session.get(Improvement, iid).status == "done"
    n = db.session.scalar(select(func.count()).select_from(ImprovementEvent).where(
        ImprovementEvent.improvement_id == iid, ImprovementEvent.action == "completed"))
    db.session.close()
    assert n == 1
