"""The improvement list: creation, visibility, notes, transitions (409 when not applicable), the list's order
and filters, the audit trail, on both databases."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from sqlalchemy import select

from server.audit_trail.models import AuditTrailEntry
from server.core.timeutil import SHANGHAI
from server.notices.models import Notice, NoticeRecipient

API = "/api/v1"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def _create(client, headers, owner_id, due="2026-11-30", **kw):
    r = client.post(f"{API}/improvements", headers=headers,
                    json={"title": "食堂卫生整改", "owner_id": owner_id, "due_date": due, **kw})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _notices_to(db, member_id):
    return list(db.session.scalars(select(Notice).join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
                                   .where(NoticeRecipient.member_id == member_id, Notice.source == "improvement")
                                   .order_by(Notice.id)))


def test_the_owner_is_told_follows_notes_and_completes(client, db, make, auth):
    staff, head, other = make.staff(), make.member(name="部门负责人"), make.member()
    with time_machine.travel(NOW):
        item = _create(client, auth(staff), head.id, description="后厨地面积水", figure=None)
        assert item["status"] == "open" and item["source"] == "manual" and item["owner"]["name"] == "部门负责人"
        assert item["due_at"] == "2026-12-01T00:00:00+08:00" and item["overdue"] is False
        assert [n.title for n in _notices_to(db, head.id)] == ["您有新的整改事项"]
        mine = client.get(f"{API}/me/improvements", headers=auth(head)).get_json()
        assert [i["id"] for i in mine["items"]] == [item["id"]]
        assert client.get(f"{API}/me/improvements", headers=auth(other)).get_json()["total"] == 0
        # Nobody else sees or touches it: 404 as for a missing id.
        for method, path, body in (("get", "", None), ("post", "/notes", {"body": "x"}),
                                   ("post", "/complete", {"result": "x"})):
            r = getattr(client, method)(f"{API}/improvements/{item['id']}{path}", headers=auth(other), json=body)
            assert r.status_code == 404, (path, r.get_json())
        r = client.post(f"{API}/improvements/{item['id']}/notes", headers=auth(head), json={"body": "已铺设防滑垫"})
        assert r.status_code == 201, r.get_json()
        r = client.post(f"{API}/improvements/{item['id']}/complete", headers=auth(head), json={"result": "已整改完毕"})
        assert r.status_code == 200, r.get_json()
        done = r.get_json()
    assert done["status"] == "done" and done["result"] == "已整改完毕" and done["closed_at"]
    assert [e["action"] for e in done["events"]] == ["created", "note", "completed"]
    assert done["events"][1]["actor"]["id"] == head.id and done["events"][1]["body"] == "已铺设防滑垫"
    # Done: no more notes, no second completion, no cancel.
    for path, body in (("notes", {"body": "x"}), ("complete", {"result": "x"})):
        r = client.post(f"{API}/improvements/{item['id']}/{path}", headers=auth(head), json=body)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition"
    r = client.post(f"{API}/improvements/{item['id']}/cancel", headers=auth(staff), json={"reason": "x"})
    assert r.status_code == 409
    trail = list(db.session.scalars(select(AuditTrailEntry.action).where(
        AuditTrailEntry.entity == "improvement", AuditTrailEntry.entity_id == str(item["id"]))
        .order_by(AuditTrailEntry.id)))
    assert trail == ["create", "note", "complete"]


def test_cancel_and_reopen_with_a_new_due_date(client, db, make, auth):
    staff, head = make.staff(), make.member()
    with time_machine.travel(NOW):
        sh = auth(staff)
        item = _create(client, sh, head.id)
        r = client.post(f"{API}/improvements/{item['id']}/reopen", headers=sh)
        assert r.status_code == 409  # open already
        r = client.post(f"{API}/improvements/{item['id']}/cancel", headers=sh, json={"reason": "已合并到其他事项"})
        assert r.status_code == 200 and r.get_json()["cancel_reason"] == "已合并到其他事项"
        r = client.post(f"{API}/improvements/{item['id']}/cancel", headers=sh, json={"reason": "again"})
        assert r.status_code == 409
        r = client.post(f"{API}/improvements/{item['id']}/reopen", headers=sh, json={"due_date": "2026-10-01"})
        assert r.status_code == 400 and "due_date" in r.get_json()["error"]["details"]["fields"]
        r = client.post(f"{API}/improvements/{item['id']}/reopen", headers=sh, json={"due_date": "2026-12-31"})
        assert r.status_code == 200, r.get_json()
        back = r.get_json()
        # The owner may not cancel or reopen.
        assert client.post(f"{API}/improvements/{item['id']}/cancel", headers=auth(head),
                           json={"reason": "x"}).status_code == 403
    assert back["status"] == "open" and back["cancel_reason"] is None and back["due_date"] == "2026-12-31"
    assert back["due_at"] == "2027-01-01T00:00:00+08:00"
    assert [e["action"] for e in back["events"]] == ["created", "cancelled", "reopened"]
    assert [n.title for n in _notices_to(db, head.id)] == ["您有新的整改事项", "整改事项已取消", "整改事项已重新打开"]


def test_bad_input_is_a_clear_400(client, make, auth):
    staff, head = make.staff(), make.member()
    gone = make.member(is_active=False)
    with time_machine.travel(NOW):
        sh = auth(staff)
        for body, field in (({"due_date": "2026-11-01"}, "due_date"), ({"owner_id": gone.id}, "owner_id"),
                            ({"owner_id": 999999}, "owner_id"), ({"source": "audit"}, "source"),
                            ({"title": ""}, "title"), ({"due_date": "2026-13-01"}, "due_date")):
            r = client.post(f"{API}/improvements", headers=sh,
                            json={"title": "整改", "owner_id": head.id, "due_date": "2026-11-30", **body})
            assert r.status_code == 400, (body, r.get_json())
            assert field in str(r.get_json()["error"].get("details")), (body, r.get_json())
        r = client.get(f"{API}/improvements?status=bogus", headers=sh)
        assert r.status_code == 400
        assert client.get(f"{API}/improvements/999999", headers=sh).status_code == 404


def test_the_list_puts_overdue_first_and_filters(client, make, auth):
    staff, a, b = make.staff(), make.member(name="甲"), make.member(name="乙")
    with time_machine.travel(NOW):
        sh = auth(staff)
        late = _create(client, sh, a.id, due="2026-11-05", title="先到期")
        later = _create(client, sh, b.id, due="2026-11-20", title="后到期", source="report",
                        figure="requests.on_time_rate", target=0.95)
        soon = _create(client, sh, a.id, due="2026-11-10", title="次到期")
        done = _create(client, sh, b.id, due="2026-11-03", title="已完成")
        client.post(f"{API}/improvements/{done['id']}/complete", headers=sh, json={"result": "好了"})
    assert later["figure"] == "requests.on_time_rate" and later["target"] == 0.95 and later["source"] == "report"
    with time_machine.travel(datetime(2026, 11, 8, 9, 0, tzinfo=SHANGHAI)):
        sh = auth(staff)
        page = client.get(f"{API}/improvements", headers=sh).get_json()
        assert [i["id"] for i in page["items"]] == [late["id"], soon["id"], later["id"], done["id"]]
        assert [i["overdue"] for i in page["items"]] == [True, False, False, False]

        def ids(q):
            r = client.get(f"{API}/improvements?{q}", headers=sh)
            assert r.status_code == 200, r.get_json()
            return [i["id"] for i in r.get_json()["items"]]

        assert ids("overdue=1") == [late["id"]]
        assert ids(f"owner={b.id}") == [later["id"], done["id"]]
        assert ids("status=done") == [done["id"]]
        assert ids("source=report") == [later["id"]]
        assert ids(f"status=open&owner={a.id}") == [late["id"], soon["id"]]
        mine = client.get(f"{API}/me/improvements", headers=auth(a)).get_json()
        assert [i["id"] for i in mine["items"]] == [late["id"], soon["id"]]


def test_staff_complete_on_the_owners_behalf_and_the_owner_is_told(client, db, make, auth):
    staff, head = make.staff(), make.member()
    with time_machine.travel(NOW):
        item = _create(client, auth(staff), head.id)
        r = client.post(f"{API}/improvements/{item['id']}/complete", headers=auth(staff), json={"result": "核实已完成"})
    assert r.status_code == 200
    assert [n.title for n in _notices_to(db, head.id)][-1] == "整改事项已标记完成"
    assert date.fromisoformat(item["due_date"]) - NOW.date() == timedelta(days=28)
