"""Two admins give the same phone number to two members at once: real commits from two threads (SQLite file
and PostgreSQL; committing_db empties the tables afterwards). One edit stands; the other is told the number
is taken, never a generic conflict."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from server.members.auth import issue_token
from server.members.models import Member

API = "/api/v1"


def test_two_admins_giving_one_number_at_once_leave_it_with_one_member(app, committing_db):
    s = committing_db.session
    admins = [Member(employee_no=f"ADM{i}", name=f"管理员{i}", roles=["member", "admin"]) for i in range(2)]
    targets = [Member(employee_no=f"TGT{i}", name=f"会员{i}", roles=["member"]) for i in range(2)]
    s.add_all(admins + targets)
    s.commit()
    admin_ids, target_ids = [a.id for a in admins], [t.id for t in targets]
    with app.test_request_context():
        tokens = [issue_token(a)[0] for a in admin_ids]
    s.close()
    barrier = threading.Barrier(2)

    def edit(i: int):
        client = app.test_client()
        barrier.wait()
        return client.patch(f"{API}/members/{target_ids[i]}", json={"phone": "13900001111"},
                            headers={"Authorization": f"Bearer {tokens[i]}"})

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(edit, range(2)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 409], [r.json for r in answers]
    refused = next(r for r in answers if r.status_code == 409)
    assert refused.json["error"]["code"] == "phone_taken", refused.json
    assert "phone" in refused.json["error"]["details"]["fields"]
    holders = s.scalars(select(Member.employee_no).where(Member.phone == "13900001111")).all()
    winner = next(r for r in answers if r.status_code == 200).json["employee_no"]
    assert holders == [winner]
