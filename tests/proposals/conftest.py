from __future__ import annotations

from datetime import timedelta

import pytest

from server.core.timeutil import utcnow

API = "/api/v1"


@pytest.fixture
def staff(make, auth):
    member = make.staff(name="工会干事甲")
    return member, auth(member)


@pytest.fixture
def people(make, auth):
    """proposer and three other members, each (member, headers)."""
    out = {}
    for key, name in (("proposer", "提案人张三"), ("a", "附议人李四"), ("b", "附议人王五"), ("c", "会员赵六")):
        m = make.member(name=name, department="机修车间")
        out[key] = (m, auth(m))
    return out


@pytest.fixture
def session_id(client, staff):
    """session_id(**body) -> a new session's id (closes in 10 days, 2 co-signers, unless given)."""

    def go(**kw):
        body = {"name": "第五届职代会第三次会议", "closes_at": (utcnow() + timedelta(days=10)).isoformat(),
                "min_cosigners": 2, **kw}
        r = client.post(f"{API}/congress-sessions", json=body, headers=staff[1])
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    return go


def proposal_body(sid: int, **kw) -> dict:
    return {"session_id": sid, "title": "食堂增加夜班供餐", "problem": "夜班职工无处就餐",
            "solution": "22:00 增设夜宵窗口", "department": "后勤保障部", **kw}


@pytest.fixture
def submitted(client, people, session_id):
    """submitted(**proposal fields) -> the submitted proposal's JSON, co-signed by a and b."""

    def go(sid=None, **kw):
        sid = sid or session_id()
        r = client.post(f"{API}/proposals", json=proposal_body(sid, **kw), headers=people["proposer"][1])
        assert r.status_code == 201, r.get_json()
        pid = r.get_json()["id"]
        token = client.post(f"{API}/proposals/{pid}/invite", json={}, headers=people["proposer"][1]).get_json()["token"]
        for k in ("a", "b"):
            r = client.post(f"{API}/proposals/{pid}/cosign", json={"invite": token}, headers=people[k][1])
            assert r.status_code == 201, r.get_json()
        r = client.post(f"{API}/proposals/{pid}/submit", headers=people["proposer"][1])
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    return go
