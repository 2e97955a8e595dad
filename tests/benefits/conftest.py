from __future__ import annotations

from datetime import timedelta

import pytest

from server.core.timeutil import utcnow

API = "/api/v1"


def benefit_body(**kw) -> dict:
    now = utcnow()
    body = {"title": "冬季年货节", "description": "年货三选一", "kind": "seasonal", "season": "winter",
            "options": [{"name": "大米一袋", "stock": 2}, {"name": "食用油一桶", "stock": 1},
                        {"name": "坚果礼盒", "stock": None}],
            "claim_opens_at": (now - timedelta(hours=1)).isoformat(),
            "claim_closes_at": (now + timedelta(days=3)).isoformat(),
            "redeem_until": (now + timedelta(days=10)).isoformat(),
            "allow_workshop_delivery": True, "announce": False}
    body.update(kw)
    return body


@pytest.fixture
def staff(make, auth):
    m = make.staff(name="工会干事甲", employee_no="S00001")
    return m, auth(m)


@pytest.fixture
def people(make, auth):
    """Four members of 生产一部 (two tagged 异地职工, one on night shift) and one of 行政部, as (member, headers)."""
    out = {}
    for key, dept, tags in (("a", "生产一部", ["异地职工"]), ("b", "生产一部", ["异地职工", "夜班"]),
                            ("c", "生产一部", []), ("d", "生产一部", ["夜班"]), ("x", "行政部", [])):
        m = make.member(department=dept, tags=tags)
        out[key] = (m, auth(m))
    return out


@pytest.fixture
def new_benefit(client, staff):
    """new_benefit(**body fields) -> the created campaign's JSON."""

    def go(**kw):
        r = client.post(f"{API}/benefits", json=benefit_body(**kw), headers=staff[1])
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return go
