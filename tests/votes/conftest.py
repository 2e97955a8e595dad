from __future__ import annotations

from datetime import timedelta

import pytest

from server.core.timeutil import utcnow

API = "/api/v1"


def vote_body(**kw):
    now = utcnow()
    body = {
        "title": "工匠之星评选", "description": "评选年度工匠之星",
        "opens_at": (now - timedelta(minutes=5)).isoformat(), "closes_at": (now + timedelta(days=3)).isoformat(),
        "max_choices": 2,
        "candidates": [{"name": "张师傅", "description": "数控车床"}, {"name": "李师傅"}, {"name": "王师傅"}],
    }
    body.update(kw)
    return body


@pytest.fixture
def staff(make, auth):
    member = make.staff(name="工会干事甲")
    return member, auth(member)


@pytest.fixture
def open_vote(client, staff):
    """open_vote(**body) -> the published vote's JSON (open now unless times are given)."""

    def go(**kw):
        _, headers = staff
        r = client.post(f"{API}/votes", json=vote_body(**kw), headers=headers)
        assert r.status_code == 201, r.get_json()
        vote = r.get_json()
        r = client.post(f"{API}/votes/{vote['id']}/publish", headers=headers)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    return go
