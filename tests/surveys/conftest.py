from __future__ import annotations

from datetime import timedelta

import pytest

from server.core.timeutil import utcnow

API = "/api/v1"


def iso(dt) -> str:
    return dt.isoformat()


def survey_body(**over) -> dict:
    now = utcnow()
    body = {
        "title": "职工需求调查", "description": "了解大家的需求", "anonymous": False,
        "audience": {"all": True},
        "opens_at": iso(now - timedelta(hours=1)), "closes_at": iso(now + timedelta(days=3)),
        "questions": [
            {"kind": "single", "text": "您的岗位", "options": ["生产岗", "技术岗", "管理岗"],
             "option_tags": {"0": "生产岗", "1": "技术岗", "2": "管理岗"}},
            {"kind": "multiple", "text": "您的需求", "options": ["困难帮扶", "职业发展", "文体活动"],
             "option_tags": {"0": "需困难帮扶", "1": "需职业发展"}, "required": False},
            {"kind": "scale", "text": "对工会工作的满意度"},
            {"kind": "text", "text": "其他建议", "required": False},
        ],
    }
    body.update(over)
    return body


@pytest.fixture
def staff(make):
    return make.staff(department="工会办公室")


@pytest.fixture
def open_survey(client, auth, staff):
    """open_survey(**body overrides) -> the published survey's JSON."""

    def go(**over):
        r = client.post(f"{API}/surveys", json=survey_body(**over), headers=auth(staff))
        assert r.status_code == 201, r.get_json()
        sid = r.get_json()["id"]
        r = client.post(f"{API}/surveys/{sid}/publish", headers=auth(staff))
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    return go


def answers(post=0, needs=(1,), value=4, text=None) -> dict:
    out = [{"question": 0, "choice": post}, {"question": 1, "choices": list(needs)}, {"question": 2, "value": value}]
    if text is not None:
        out.append({"question": 3, "text": text})
    return {"answers": out}
