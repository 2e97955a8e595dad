"""Who sees what (API.md): the member their own; a liaison their grids' requests except confidential and
hardship ones; staff and secretary all; anyone else 404, never 403. Staff reads of sensitive ones logged."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.member_requests.models import ConfidentialRead, LiaisonGrid

from .conftest import API

PLAIN, CONFIDENTIAL, HARDSHIP = "plain", "confidential", "hardship"
KINDS = {PLAIN: {}, CONFIDENTIAL: {"confidential": True}, HARDSHIP: {"category": "hardship"}}
# Who gets 200 for each kind of request raised by `member` (grid A); everyone else 404.
SEES = {
    PLAIN: {"member", "liaison_a", "staff", "secretary", "admin"},
    CONFIDENTIAL: {"member", "staff", "secretary", "admin"},
    HARDSHIP: {"member", "staff", "secretary", "admin"},
}
VIEWERS = ["member", "neighbour", "other", "liaison_a", "liaison_b", "staff", "secretary", "admin"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_visibility_matrix(kind, world, raise_, client, auth):
    req = raise_(world.member, **KINDS[kind])
    for name in VIEWERS:
        r = client.get(f"{API}/requests/{req['id']}", headers=auth(getattr(world, name)))
        want = 200 if name in SEES[kind] else 404
        assert r.status_code == want, (kind, name, r.get_json())
        if want == 404:
            assert r.json["error"]["code"] == "not_found"
        # The queue agrees with the page.
        if name.startswith("liaison") or name in ("staff", "secretary", "admin"):
            ids = [i["id"] for i in client.get(f"{API}/requests", headers=auth(getattr(world, name))).json["items"]]
            assert (req["id"] in ids) == (name in SEES[kind]), (kind, name)


def test_steps_on_a_request_one_may_not_see_are_404_not_403(world, raise_, act):
    req = raise_(world.member, confidential=True)
    for step, body in [("accept", None), ("messages", {"body": "你好"}), ("resolve", {"resolution": "已解决"}),
                       ("confirm", {"satisfaction": 5}), ("reopen", {"reason": "没解决"})]:
        for who in (world.liaison_a, world.neighbour):
            r = act(who, req["id"], step, body)
            assert r.status_code in (403, 404), (step, r.get_json())
            if r.status_code == 403:  # the route's role refuses a plain member before any request is read
                assert who is world.neighbour and step in ("accept", "resolve")
            else:
                assert r.json["error"]["code"] == "not_found"


def test_a_grid_added_by_an_admin_is_served(world, raise_, client, auth, db):
    req = raise_(world.other)  # grid B
    assert client.get(f"{API}/requests/{req['id']}", headers=auth(world.liaison_a)).status_code == 404
    r = client.put(f"{API}/members/{world.liaison_a.id}/liaison-grids", json={"grid_ids": [world.grid_b.id]},
                   headers=auth(world.admin))
    assert r.status_code == 200, r.get_json()
    assert r.json == {"member_id": world.liaison_a.id, "liaison": True,
                      "own_grid": {"id": world.grid_a.id, "name": "一车间网格"},
                      "grids": [{"id": world.grid_b.id, "name": "二车间网格"}]}
    assert client.get(f"{API}/requests/{req['id']}", headers=auth(world.liaison_a)).status_code == 200
    assert client.get(f"{API}/members/{world.liaison_a.id}/liaison-grids", headers=auth(world.staff)).json == r.json
    # Emptied again: no longer served.
    client.put(f"{API}/members/{world.liaison_a.id}/liaison-grids", json={"grid_ids": []}, headers=auth(world.admin))
    assert db.session.scalars(select(LiaisonGrid)).all() == []
    assert client.get(f"{API}/requests/{req['id']}", headers=auth(world.liaison_a)).status_code == 404


def test_liaison_grids_refusals(world, client, auth):
    r = client.put(f"{API}/members/{world.member.id}/liaison-grids", json={"grid_ids": [world.grid_b.id]},
                   headers=auth(world.admin))
    assert (r.status_code, r.json["error"]["code"]) == (400, "not_a_liaison")
    r = client.put(f"{API}/members/{world.liaison_a.id}/liaison-grids", json={"grid_ids": [999999]},
                   headers=auth(world.admin))
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request")
    assert "grid_ids" in r.json["error"]["details"]["fields"]
    r = client.put(f"{API}/members/999999/liaison-grids", json={"grid_ids": []}, headers=auth(world.admin))
    assert r.status_code == 404
    r = client.put(f"{API}/members/{world.liaison_a.id}/liaison-grids", json={"grid_ids": []},
                   headers=auth(world.staff))
    assert r.status_code == 403


def test_staff_reads_of_sensitive_requests_are_logged_and_listed_for_admins(world, raise_, client, auth, db):
    plain = raise_(world.member)
    secret = raise_(world.member, confidential=True, title="家中变故")
    hardship = raise_(world.neighbour, category="hardship")
    client.get(f"{API}/requests/{plain['id']}", headers=auth(world.staff))  # not sensitive: not logged
    client.get(f"{API}/requests/{secret['id']}", headers=auth(world.member))  # its member: not logged
    for who in (world.staff, world.secretary):
        assert client.get(f"{API}/requests/{secret['id']}", headers=auth(who)).status_code == 200
    client.get(f"{API}/requests/{hardship['id']}", headers=auth(world.admin))
    rows = db.session.scalars(select(ConfidentialRead).order_by(ConfidentialRead.id)).all()
    assert [(r.request_id, r.viewer_id) for r in rows] == [
        (secret["id"], world.staff.id), (secret["id"], world.secretary.id), (hardship["id"], world.admin.id)]
    assert rows[0].route == "GET /api/v1/requests/<int:request_id>"
    # The queue shows no content, so it is not a read of it.
    assert "content" not in client.get(f"{API}/requests", headers=auth(world.staff)).json["items"][0]

    r = client.get(f"{API}/requests/confidential-reads?per_page=2", headers=auth(world.admin))
    assert r.status_code == 200
    assert r.json["total"] == 3 and len(r.json["items"]) == 2
    first = r.json["items"][0]
    assert first["request_id"] == hardship["id"] and first["viewer"] == {"id": world.admin.id, "name": "管理员"}
    assert set(first) == {"id", "request_id", "request_title", "viewer", "route", "viewed_at"}
    r = client.get(f"{API}/requests/confidential-reads?request_id={secret['id']}", headers=auth(world.admin))
    assert r.json["total"] == 2 and {i["request_title"] for i in r.json["items"]} == {"家中变故"}
    assert client.get(f"{API}/requests/confidential-reads", headers=auth(world.staff)).status_code == 403


def test_queue_filters_and_member_details_for_staff_only(world, raise_, client, auth):
    a = raise_(world.member, category="rights")
    raise_(world.other, category="canteen")
    r = client.get(f"{API}/requests?category=rights", headers=auth(world.staff))
    assert [i["id"] for i in r.json["items"]] == [a["id"]]
    assert r.json["items"][0]["member"] == {"id": world.member.id, "name": "张三",
                                            "employee_no": world.member.employee_no, "department": "一车间"}
    r = client.get(f"{API}/requests?grid=二车间网格", headers=auth(world.staff))
    assert [i["grid"] for i in r.json["items"]] == ["二车间网格"] and r.json["total"] == 1
    r = client.get(f"{API}/requests", headers=auth(world.liaison_a))
    assert [i["id"] for i in r.json["items"]] == [a["id"]]
    assert r.json["items"][0]["member"] == {"id": world.member.id, "name": "张三", "employee_no": None,
                                            "department": None}
    assert client.get(f"{API}/requests?status=closed", headers=auth(world.staff)).json["total"] == 0
    r = client.get(f"{API}/requests?member_id={world.other.id}", headers=auth(world.staff))  # a member's page
    assert [i["member"]["id"] for i in r.json["items"]] == [world.other.id]
    # A liaison asking for a member of another grid still sees only what the liaison may see.
    assert client.get(f"{API}/requests?member_id={world.other.id}", headers=auth(world.liaison_a)).json["total"] == 0
    assert client.get(f"{API}/requests", headers=auth(world.member)).status_code == 403
    mine = client.get(f"{API}/me/requests", headers=auth(world.member)).json
    assert [i["id"] for i in mine["items"]] == [a["id"]]
    assert client.get(f"{API}/me/requests", headers=auth(world.neighbour)).json["items"] == []


def test_a_liaisons_own_request_is_handled_by_others(world, raise_, act, client, auth, make, db):
    own = raise_(world.liaison_a, title="联络员自己的诉求")
    assert client.get(f"{API}/requests/{own['id']}", headers=auth(world.liaison_a)).status_code == 200
    assert own["id"] not in [i["id"] for i in client.get(f"{API}/requests", headers=auth(world.liaison_a))
                             .json["items"]]
    assert act(world.liaison_a, own["id"], "accept").status_code == 403
    r = act(world.liaison_a, own["id"], "messages", {"body": "内部", "internal": True})
    assert r.status_code == 403  # on their own request they are its member
    # Another liaison of the grid handles it.
    second = make.member(roles=("member", "liaison"), grid="一车间网格", name="联络员丙")
    assert act(second, own["id"], "accept").status_code == 200


def test_the_grid_list_names_each_grids_liaisons_and_counts_its_members(world, client, auth, db):
    from server.member_requests.models import LiaisonGrid

    db.session.add(LiaisonGrid(member_id=world.liaison_b.id, grid_id=world.grid_a.id))  # b also serves 一车间
    db.session.flush()
    r = client.get(f"{API}/grids", headers=auth(world.staff))
    grids = {g["name"]: g for g in r.json["items"]}
    assert grids["一车间网格"]["members"] == 3  # 张三, 李四, 联络员甲
    assert [p["name"] for p in grids["一车间网格"]["liaisons"]] == ["联络员乙", "联络员甲"]
    assert [p["name"] for p in grids["二车间网格"]["liaisons"]] == ["联络员乙"]
    assert client.get(f"{API}/grids", headers=auth(world.liaison_a)).status_code == 403
