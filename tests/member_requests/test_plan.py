"""The quarterly service plan: needs counted against last quarter, adoption (members told), changes, export."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from server.core.timeutil import SHANGHAI
from server.member_requests.plan_models import ServicePlanRequest
from server.notices.models import Notice, NoticeRecipient

from .factory import make_request

API = "/api/v1"
Q4 = datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)
Q3 = datetime(2026, 8, 10, 10, 0, tzinfo=SHANGHAI)


def setup(db, make):
    s = db.session
    a, b = make.grid("甲网格"), make.grid("乙网格")
    ma = [make.member(grid="甲网格") for _ in range(3)]
    mb = make.member(grid="乙网格")
    reqs = {
        "canteen_a": [make_request(s, m, category="canteen", created=Q4) for m in ma + [ma[0]]],  # 4, 3 members
        "canteen_b": [make_request(s, mb, category="canteen", created=Q4)],
        "training_a_q3": [make_request(s, ma[0], category="training", created=Q3) for _ in range(3)],
        "training_a": [make_request(s, ma[1], category="training", created=Q4)],
        "canteen_a_q3": [make_request(s, ma[2], category="canteen", created=Q3)],
        "older": [make_request(s, ma[2], category="canteen", created=datetime(2026, 5, 1, tzinfo=SHANGHAI))],
        "next_quarter": [make_request(s, ma[2], category="canteen", created=datetime(2027, 1, 2, tzinfo=SHANGHAI))],
    }
    return a, b, ma, mb, reqs


def test_needs_by_category_and_grid_against_last_quarter(client, db, make, auth):
    a, b, *_ = setup(db, make)
    r = client.get(f"{API}/requests/plan/needs?quarter=2026Q4", headers=auth(make.staff()))
    assert r.status_code == 200, r.json
    assert r.json["quarter"] == "2026Q4" and r.json["previous"] == "2026Q3"
    assert [(i["category"], i["grid"]["name"], i["this_quarter"], i["last_quarter"], i["change"])
            for i in r.json["items"]] == [
        ("canteen", "甲网格", 4, 1, 3), ("canteen", "乙网格", 1, 0, 1), ("training", "甲网格", 1, 3, -2)]
    assert r.json["items"][0]["category_label"] == "食堂后勤"
    q1 = client.get(f"{API}/requests/plan/needs?quarter=2027Q1", headers=auth(make.staff())).json
    assert q1["previous"] == "2026Q4" and [(i["this_quarter"], i["last_quarter"]) for i in q1["items"]][0] == (1, 4)


def test_adopting_links_the_requests_and_tells_their_members_once(client, db, make, auth):
    a, b, ma, mb, reqs = setup(db, make)
    staff, owner = make.staff(), make.staff(name="王干事")
    body = {"quarter": "2026Q4", "category": "canteen", "grid_id": a.id, "title": "食堂增加夜班热餐",
            "description": "夜班窗口延长至 24:00", "owner_id": owner.id, "due_on": "2027-01-31"}
    r = client.post(f"{API}/requests/plan", json=body, headers=auth(staff))
    assert r.status_code == 201, r.json
    item = r.json
    assert item["status"] == "planned" and item["status_label"] == "已列入计划"
    assert item["owner"] == {"id": owner.id, "name": "王干事"} and item["grid"] == {"id": a.id, "name": "甲网格"}
    assert item["request_count"] == 4 and item["due_on"] == "2027-01-31"
    linked = set(db.session.scalars(select(ServicePlanRequest.request_id)
                                    .where(ServicePlanRequest.item_id == item["id"])))
    assert linked == {x.id for x in reqs["canteen_a"]}
    (notice,) = db.session.scalars(select(Notice).where(Notice.source == "request")).all()
    told = set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id)))
    assert told == {m.id for m in ma}  # three members, one notice, though one raised two of the requests
    assert "食堂增加夜班热餐" in notice.body and "王干事" in notice.body

    # Named requests instead of the whole category.
    body2 = {**body, "grid_id": None, "title": "乙网格食堂", "request_ids": [reqs["canteen_b"][0].id]}
    r = client.post(f"{API}/requests/plan", json=body2, headers=auth(staff))
    assert r.status_code == 201 and r.json["request_count"] == 1 and r.json["grid"] is None

    listed = client.get(f"{API}/requests/plan?quarter=2026Q4", headers=auth(staff)).json
    assert listed["total"] == 2 and [i["title"] for i in listed["items"]] == ["食堂增加夜班热餐", "乙网格食堂"]
    assert client.get(f"{API}/requests/plan?quarter=2027Q1", headers=auth(staff)).json["items"] == []


def test_adoption_refuses_bad_input(client, db, make, auth):
    _, _, _, _, reqs = setup(db, make)
    staff = make.staff()
    ok = {"quarter": "2026Q4", "category": "canteen", "title": "事项", "owner_id": staff.id, "due_on": "2027-01-31"}
    cases = [({"quarter": "2026Q5"}, "quarter"), ({"owner_id": 999999}, "owner_id"),
             ({"grid_id": 999999}, "grid_id"), ({"request_ids": [999999]}, "request_ids"),
             ({"category": "nope"}, "category"), ({"due_on": "2027-02-30"}, "due_on"), ({"title": ""}, "title")]
    for change, field in cases:
        r = client.post(f"{API}/requests/plan", json={**ok, **change}, headers=auth(staff))
        assert r.status_code == 400, (change, r.json)
        assert field in r.json["error"]["details"]["fields"], (change, r.json)
    assert client.post(f"{API}/requests/plan", json=ok, headers=auth(make.member(roles=("liaison",)))
                       ).status_code == 403
    assert db.session.scalars(select(Notice).where(Notice.source == "request")).all() == []


def test_changing_an_item(client, db, make, auth):
    setup(db, make)
    staff = make.staff()
    body = {"quarter": "2026Q4", "category": "training", "title": "技能培训", "owner_id": staff.id,
            "due_on": "2026-12-20"}
    item = client.post(f"{API}/requests/plan", json=body, headers=auth(staff)).json
    other = make.staff(name="李干事")
    r = client.patch(f"{API}/requests/plan/{item['id']}", json={"status": "in_progress", "owner_id": other.id},
                     headers=auth(staff))
    assert r.status_code == 200, r.json
    assert r.json["status_label"] == "推进中" and r.json["owner"]["name"] == "李干事" and r.json["title"] == "技能培训"
    for bad in ({"status": "lost"}, {"title": None}, {"owner_id": 999999}, {"extra": 1}):
        assert client.patch(f"{API}/requests/plan/{item['id']}", json=bad, headers=auth(staff)).status_code == 400
    r = client.patch(f"{API}/requests/plan/999999", json={"status": "done"}, headers=auth(staff))
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_export_xlsx(client, db, make, auth):
    setup(db, make)
    staff = make.staff(name="赵干事")
    for title in ("=HYPERLINK(\"x\")", "食堂夜餐"):
        client.post(f"{API}/requests/plan", json={"quarter": "2026Q4", "category": "canteen", "title": title,
                                                  "owner_id": staff.id, "due_on": "2027-01-15"}, headers=auth(staff))
    r = client.get(f"{API}/requests/plan/export.xlsx?quarter=2026Q4", headers=auth(staff))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "service-plan-2026Q4.xlsx" in r.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("季度", "类别", "网格", "事项")
    assert {row[3] for row in rows[1:]} == {"=HYPERLINK(\"x\")", "食堂夜餐"}  # text, never a formula
    assert rows[1][1] == "食堂后勤" and rows[1][2] == "全部网格" and rows[1][5] == "赵干事" and rows[1][8] == 5
    assert client.get(f"{API}/requests/plan/export.xlsx?quarter=bad", headers=auth(staff)).status_code == 400


def test_plan_paths_are_not_taken_by_a_request_id_route(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/api/v1/requests/plan", "GET")[0] == "member_requests.plan_items"
    assert adapter.match("/api/v1/requests/plan/needs", "GET")[0] == "member_requests.plan_needs"
    assert adapter.match("/api/v1/requests/plan/export.xlsx", "GET")[0] == "member_requests.export_plan"
    assert adapter.match("/api/v1/requests/stats", "GET")[0] == "member_requests.request_stats"
