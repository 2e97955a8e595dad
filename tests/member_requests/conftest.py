"""A small world for requests: two grids, their members and liaisons, staff, the chair and an admin."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

API = "/api/v1"


@pytest.fixture
def world(make, db):
    w = SimpleNamespace()
    w.grid_a, w.grid_b = make.grid("一车间网格"), make.grid("二车间网格")
    w.member = make.member(grid="一车间网格", department="一车间", name="张三")
    w.neighbour = make.member(grid="一车间网格", department="一车间", name="李四")
    w.other = make.member(grid="二车间网格", name="王五")
    w.liaison_a = make.member(roles=("member", "liaison"), grid="一车间网格", name="联络员甲")
    w.liaison_b = make.member(roles=("member", "liaison"), grid="二车间网格", name="联络员乙")
    w.staff = make.staff(name="干事")
    w.secretary = make.member(roles=("member", "secretary"), name="书记")
    w.admin = make.member(roles=("member", "admin"), name="管理员")
    return w


@pytest.fixture
def raise_(client, auth):
    """raise_(member, **fields) -> the created request's JSON (asserts 201)."""
    def go(member, **fields):
        body = {"category": "canteen", "title": "食堂晚班没有热饭", "content": "夜班下班后食堂已关门", **fields}
        r = client.post(f"{API}/requests", json=body, headers=auth(member))
        assert r.status_code == 201, r.get_json()
        return r.get_json()
    return go


@pytest.fixture
def act(client, auth):
    """act(member, request_id, step, body=None) -> the response (POST /requests/{id}/{step})."""
    def go(member, request_id, step, body=None):
        return client.post(f"{API}/requests/{request_id}/{step}", json=body or {}, headers=auth(member))
    return go


@pytest.fixture(autouse=True)
def _fresh_fakes(wechat_server, sms_server):
    """Each test starts with the fake WeChat and SMS servers' state cleared."""
    wechat_server.reset()
    sms_server.reset()
    yield
