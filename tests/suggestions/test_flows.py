"""The daily limit, the thread between staff and the receipt holder, the public board and statistics."""
from __future__ import annotations

from datetime import date, datetime

import time_machine
from sqlalchemy import inspect

from server.core.timeutil import SHANGHAI
from server.suggestions.models import Suggestion


def test_daily_limit_per_member_and_next_day(client, db, make, auth, file_now):
    member = make.member()
    with time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False):
        headers = auth(member)
        ids = []
        for _ in range(5):
            r = client.post("/api/v1/suggestions", json={"category": "other", "content": "意见"}, headers=headers)
            assert r.status_code == 201
            ids.append(r.get_json()["id"])
        r = client.post("/api/v1/suggestions", json={"category": "other", "content": "第六条"}, headers=headers)
        assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
        assert r.get_json()["error"]["message"] == "每人每天最多提交 5 条建议，请明天再来"
        assert r.headers["Retry-After"] == "3600"  # until midnight in Shanghai
        # Another member is not affected.
        assert client.post("/api/v1/suggestions", json={"category": "other", "content": "x"},
                           headers=auth(make.member())).status_code == 201
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI), tick=False):
        r = client.post("/api/v1/suggestions", json={"category": "other", "content": "第二天"}, headers=auth(member))
        assert r.status_code == 201
        ids.append(r.get_json()["id"])
        assert file_now() == 7
    # The count is not kept in the database at all (it lives in the rate limiter's expiring counters).
    tables = set(inspect(db.session.connection()).get_table_names())
    assert {t for t in tables if t.startswith("suggestion")} == {
        "suggestions", "suggestion_messages", "suggestion_held_writes"}
    assert db.session.get(Suggestion, ids[0]).submitted_on == date(2026, 12, 1)
    assert db.session.get(Suggestion, ids[-1]).submitted_on == date(2026, 12, 2)


def test_staff_reply_reaches_the_receipt_holder_who_replies(client, make, auth, submit, file_now):
    created = submit(title="夜班照明", content="三号车间夜班照明不足").get_json()
    staff = auth(make.staff())
    mine = {"X-Receipt": created["receipt"]}
    file_now()

    inbox = client.get("/api/v1/suggestions?status=new&category=canteen_facilities", headers=staff).get_json()
    assert [i["id"] for i in inbox["items"]] == [created["id"]]
    assert inbox["items"][0]["category_label"] == "食堂与后勤"

    r = client.post(f"/api/v1/suggestions/{created['id']}/messages", json={"body": "已转后勤部，本周内加装灯具"},
                    headers=staff)
    assert r.status_code == 201 and r.get_json()["from"] == "staff"
    r = client.post("/api/v1/suggestions/mine/messages", json={"body": "谢谢，希望尽快"}, headers=mine)
    assert r.status_code == 201

    thread = client.get("/api/v1/suggestions/mine", headers=mine).get_json()
    assert thread["suggestion"]["status"] == "in_progress"
    assert [(m["from"], m["body"]) for m in thread["messages"]] == [
        ("staff", "已转后勤部，本周内加装灯具"), ("submitter", "谢谢，希望尽快")]
    # A submitter's reply is stamped with its day only.
    assert thread["messages"][1]["created_at"].endswith("T00:00:00+08:00")

    file_now()
    staff_view = client.get("/api/v1/suggestions", headers=staff).get_json()["items"][0]
    assert [m["from"] for m in staff_view["messages"]] == ["staff", "submitter"]

    r = client.patch(f"/api/v1/suggestions/{created['id']}", json={"status": "closed"}, headers=staff)
    assert r.get_json()["status"] == "closed"
    r = client.post("/api/v1/suggestions/mine/messages", json={"body": "还有一点"}, headers=mine)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "suggestion_closed"


def test_publishing_needs_a_staff_answer_and_shows_only_answers(client, make, auth, submit, file_now):
    created = submit(content="希望增加班车").get_json()
    file_now()
    staff = auth(make.staff())
    path = f"/api/v1/suggestions/{created['id']}"
    r = client.patch(path, json={"public": True}, headers=staff)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_staff_reply"

    client.post("/api/v1/suggestions/mine/messages", json={"body": "早班六点那趟"},
                headers={"X-Receipt": created["receipt"]})
    client.post(f"{path}/messages", json={"body": "下月起增开一班"}, headers=staff)
    file_now()
    r = client.patch(path, json={"public": True, "status": "answered"}, headers=staff)
    assert r.status_code == 200 and r.get_json()["public"] is True

    board = client.get("/api/v1/suggestions/public", headers=auth(make.member())).get_json()
    assert board["total"] == 1
    item = board["items"][0]
    assert item["content"] == "希望增加班车" and [a["body"] for a in item["answers"]] == ["下月起增开一班"]
    assert "receipt" not in item and "早班六点那趟" not in str(board)


def test_stats_never_show_a_group_under_five(client, make, auth, submit, file_now):
    staff = auth(make.staff())
    assert client.get("/api/v1/suggestions/stats", headers=staff).get_json() == {
        "total": None, "by_category": [], "by_month": []}
    for _ in range(6):
        submit(category="pay_benefits")
    for _ in range(2):
        submit(category="management")
    file_now()
    stats = client.get("/api/v1/suggestions/stats", headers=staff).get_json()
    assert stats["total"] == 8
    # 2 "management" would stand alone under 5, so it is merged with the smallest shown group.
    assert stats["by_category"] == [{"key": "merged", "label": "其他/少于5条", "count": 8}]
    for _ in range(3):
        submit(category="other")
        submit(category="pay_benefits")
    file_now()
    stats = client.get("/api/v1/suggestions/stats", headers=staff).get_json()
    assert stats["by_category"] == [
        {"key": "pay_benefits", "label": "薪酬福利", "count": 9},
        {"key": "merged", "label": "其他/少于5条", "count": 5},
    ]
    assert all(g["count"] >= 5 for g in stats["by_category"] + stats["by_month"])
    assert sum(g["count"] for g in stats["by_month"]) == 14


def test_roles(client, make, auth, submit):
    created = submit().get_json()
    member = auth(make.member())
    assert client.post("/api/v1/suggestions", json={"category": "other", "content": "x"}).status_code == 401
    for method, path in [("GET", "/api/v1/suggestions"), ("GET", "/api/v1/suggestions/stats"),
                         ("PATCH", f"/api/v1/suggestions/{created['id']}"),
                         ("POST", f"/api/v1/suggestions/{created['id']}/messages")]:
        r = client.open(path, method=method, json={"body": "x", "status": "closed"}, headers=member)
        assert r.status_code == 403, (method, path)
    assert client.get("/api/v1/suggestions/public").status_code == 401


def test_bad_input_is_refused_in_the_error_shape(client, auth, make, submit, file_now):
    headers = auth(make.member())
    for body in [{"category": "gossip", "content": "x"}, {"category": "other", "content": ""},
                 {"category": "other", "content": "长" * 2001}, {"category": "other"}]:
        r = client.post("/api/v1/suggestions", json=body, headers=headers)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_request", body
    staff = auth(make.staff())
    assert client.patch("/api/v1/suggestions/nope", json={"status": "closed"}, headers=staff).status_code == 404
    created = submit().get_json()
    file_now()
    r = client.patch(f"/api/v1/suggestions/{created['id']}", json={"status": "done"}, headers=staff)
    assert r.status_code == 400


def test_a_staff_reply_can_mark_the_suggestion_answered_in_the_same_step(client, make, auth, submit, file_now):
    created = submit(content="澡堂热水时有时无").get_json()
    staff = auth(make.staff())
    file_now()
    path = f"/api/v1/suggestions/{created['id']}"

    r = client.post(f"{path}/messages", json={"body": "已报修", "mark_answered": True}, headers=staff)
    assert r.status_code == 201 and r.get_json()["body"] == "已报修"
    mine = client.get("/api/v1/suggestions/mine", headers={"X-Receipt": created["receipt"]}).get_json()
    assert mine["suggestion"]["status"] == "answered"
    assert [m["body"] for m in mine["messages"]] == ["已报修"]

    # Not a boolean: refused whole, neither reply nor status stored.
    r = client.post(f"{path}/messages", json={"body": "再补充", "mark_answered": "yes"}, headers=staff)
    assert r.status_code == 400 and "mark_answered" in r.get_json()["error"]["details"]["fields"]
    # Closed: the reply is refused and the status stays closed.
    client.patch(path, json={"status": "closed"}, headers=staff)
    r = client.post(f"{path}/messages", json={"body": "晚了", "mark_answered": True}, headers=staff)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "suggestion_closed"
    mine = client.get("/api/v1/suggestions/mine", headers={"X-Receipt": created["receipt"]}).get_json()
    assert mine["suggestion"]["status"] == "closed" and len(mine["messages"]) == 1
