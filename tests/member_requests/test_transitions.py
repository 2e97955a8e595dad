"""Every step and its refusals, the timeline (attributed, internal notes hidden from the member), raising on
a member's behalf, photos, and the notices each step queues."""
from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from sqlalchemy import select

from server.core.timeutil import SHANGHAI, utcnow
from server.notices.models import Notice, NoticeRecipient
from server.uploads.models import Upload

from .conftest import API

REQUEST_FIELDS = {"id", "category", "title", "content", "urgent", "confidential", "status", "grid", "member",
                  "assignee", "created_at", "first_response_due_at", "resolve_due_at", "first_response_at",
                  "resolved_at", "escalation_level", "overdue", "timeline", "attachments", "satisfaction",
                  "raised_by", "reopen_count"}


def _told(db, since_id=0):
    """[(title, [member ids])] of the request notices queued after notice ``since_id``."""
    rows = db.session.execute(select(Notice.id, Notice.title, NoticeRecipient.member_id)
                              .join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
                              .where(Notice.source == "request", Notice.id > since_id)
                              .order_by(Notice.id, NoticeRecipient.member_id)).all()
    out: dict[int, tuple[str, list[int]]] = {}
    for nid, title, mid in rows:
        out.setdefault(nid, (title, []))[1].append(mid)
    return list(out.values())


def _last_notice(db) -> int:
    return db.session.scalar(select(Notice.id).order_by(Notice.id.desc()).limit(1)) or 0


def test_the_whole_loop_with_its_timeline_and_notices(world, raise_, act, client, auth, db):
    req = raise_(world.member)
    assert set(req) == REQUEST_FIELDS
    assert req["status"] == "submitted" and req["grid"] == "一车间网格"
    assert req["member"] == {"id": world.member.id, "name": "张三"} and req["assignee"] is None
    assert req["timeline"] == [{"at": req["created_at"], "by": {"id": world.member.id, "name": "张三"},
                                "action": "created", "body": None}]
    assert _told(db) == [("新诉求待受理", [world.liaison_a.id])]  # the grid's liaison

    mark = _last_notice(db)
    r = act(world.liaison_a, req["id"], "accept")
    assert r.status_code == 200, r.get_json()
    assert r.json["status"] == "accepted" and r.json["first_response_at"] is not None
    assert r.json["assignee"] == {"id": world.liaison_a.id, "name": "联络员甲"}
    assert _told(db, mark) == [("诉求已受理", [world.member.id])]

    mark = _last_notice(db)
    r = act(world.liaison_a, req["id"], "messages", {"body": "已联系食堂主管", "internal": True})
    assert r.status_code == 201
    assert r.json["timeline"][-1]["action"] == "note" and r.json["timeline"][-1]["body"] == "已联系食堂主管"
    assert _told(db, mark) == []  # a note tells nobody
    r = act(world.member, req["id"], "messages", {"body": "谢谢，等消息"})
    assert r.status_code == 201 and r.json["timeline"][-1]["by"]["id"] == world.member.id
    r = act(world.liaison_a, req["id"], "messages", {"body": "下周起夜班供应热饭"})
    assert r.status_code == 201
    assert _told(db, mark) == [("诉求有新回复", [world.member.id])]

    # The member never sees the note, in any answer.
    seen = client.get(f"{API}/requests/{req['id']}", headers=auth(world.member)).json
    assert [s["action"] for s in seen["timeline"]] == ["created", "accepted", "message", "message"]
    assert "已联系食堂主管" not in str(seen)
    assert [s["action"] for s in client.get(f"{API}/requests/{req['id']}", headers=auth(world.staff))
            .json["timeline"]] == ["created", "accepted", "note", "message", "message"]

    mark = _last_notice(db)
    r = act(world.liaison_a, req["id"], "resolve", {"resolution": "食堂夜班窗口延长到 23:00"})
    assert r.status_code == 200 and r.json["status"] == "resolved" and r.json["resolved_at"] is not None
    assert _told(db, mark) == [("诉求已办结", [world.member.id])]
    r = act(world.member, req["id"], "confirm", {"satisfaction": 5})
    assert r.status_code == 200, r.get_json()
    assert (r.json["status"], r.json["satisfaction"]) == ("closed", 5)
    last = r.json["timeline"][-1]
    assert (last["action"], last["by"]["id"], last["body"]) == ("confirmed", world.member.id, "满意度 5 分")
    # Closed: the member may no longer write (reopen instead).
    r = act(world.member, req["id"], "messages", {"body": "补充"})
    assert (r.status_code, r.json["error"]["code"]) == (409, "invalid_transition")


def test_a_handlers_first_message_is_the_first_response(world, raise_, act):
    req = raise_(world.member)
    r = act(world.liaison_a, req["id"], "messages", {"body": "内部先看看", "internal": True})
    assert r.json["first_response_at"] is None
    r = act(world.member, req["id"], "messages", {"body": "有人吗"})
    assert r.json["first_response_at"] is None  # the member's own message is no response
    r = act(world.liaison_a, req["id"], "messages", {"body": "收到"})
    first = r.json["first_response_at"]
    assert first is not None and r.json["status"] == "submitted"
    assert act(world.staff, req["id"], "messages", {"body": "再补充"}).json["first_response_at"] == first


def test_refusals_of_each_step(world, raise_, act):
    req = raise_(world.member)
    rid = req["id"]
    # Who: the member cannot accept, resolve or write notes; a liaison of another grid sees nothing.
    assert act(world.member, rid, "accept").status_code == 403
    r = act(world.member, rid, "messages", {"body": "x", "internal": True})
    assert (r.status_code, r.json["error"]["code"]) == (403, "forbidden")
    assert act(world.liaison_b, rid, "accept").status_code == 404
    # When: confirm and reopen need a resolution first.
    for step, body in [("confirm", {"satisfaction": 4}), ("reopen", {"reason": "x"})]:
        r = act(world.member, rid, step, body)
        assert (r.status_code, r.json["error"]["code"]) == (409, "invalid_transition"), step
    assert act(world.member, rid, "reopen", {"reason": "x"}).json["error"]["details"]["reason"] == "not_resolved"
    assert act(world.liaison_a, rid, "accept").status_code == 200
    r = act(world.staff, rid, "accept")
    assert (r.status_code, r.json["error"]["code"]) == (409, "invalid_transition")
    assert r.json["error"]["details"]["status"] == "accepted"
    # Only its member confirms or reopens, even staff; the score is 1..5.
    act(world.staff, rid, "resolve", {"resolution": "好了"})
    assert act(world.staff, rid, "confirm", {"satisfaction": 5}).status_code == 403
    assert act(world.neighbour, rid, "confirm", {"satisfaction": 5}).status_code == 404
    for bad in (0, 6, "5"):
        assert act(world.member, rid, "confirm", {"satisfaction": bad}).status_code == 400
    assert act(world.staff, rid, "resolve", {"resolution": "again"}).status_code == 409
    assert act(world.staff, rid, "assign", {"assignee_id": world.staff.id}).status_code == 409  # not open
    assert act(world.member, rid, "confirm", {"satisfaction": 3}).status_code == 200
    assert act(world.member, rid, "confirm", {"satisfaction": 3}).status_code == 409


def test_reopen_within_15_days_of_the_resolution_only(world, raise_, act):
    resolved_at = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(resolved_at - timedelta(days=1), tick=False):
        a, b = raise_(world.member), raise_(world.member)
    with time_machine.travel(resolved_at, tick=False):
        for req in (a, b):
            act(world.staff, req["id"], "resolve", {"resolution": "已处理"})
        act(world.member, b["id"], "confirm", {"satisfaction": 2})
    with time_machine.travel(resolved_at + timedelta(days=15, seconds=1), tick=False):
        r = act(world.member, a["id"], "reopen", {"reason": "没解决"})
        assert (r.status_code, r.json["error"]["code"]) == (409, "invalid_transition")
        assert r.json["error"]["details"] == {"status": "resolved", "reason": "reopen_window_passed",
                                              "resolved_at": resolved_at.isoformat()}
    with time_machine.travel(resolved_at + timedelta(days=15), tick=False):
        r = act(world.member, b["id"], "reopen", {"reason": "食堂又关门了"})  # from closed, on the last moment
        assert r.status_code == 200, r.get_json()
        assert (r.json["status"], r.json["satisfaction"], r.json["resolved_at"]) == ("reopened", None, None)
        assert r.json["timeline"][-1]["action"] == "reopened" and r.json["timeline"][-1]["body"] == "食堂又关门了"
        # Reopened: accepted or resolved again.
        assert act(world.liaison_a, b["id"], "accept").json["status"] == "accepted"


def test_assign_to_staff_or_a_liaison_of_the_grid_only(world, raise_, act, db):
    plain, secret = raise_(world.member), raise_(world.member, confidential=True)
    r = act(world.staff, plain["id"], "assign", {"assignee_id": world.liaison_a.id})
    assert r.status_code == 200 and r.json["assignee"] == {"id": world.liaison_a.id, "name": "联络员甲"}
    assert r.json["status"] == "submitted"
    assert r.json["timeline"][-1] == {"at": r.json["timeline"][-1]["at"], "by": {"id": world.staff.id, "name": "干事"},
                                      "action": "assigned", "body": "指派给联络员甲"}
    assert _told(db)[-1] == ("诉求指派给您", [world.liaison_a.id])
    for rid, who in [(plain["id"], world.liaison_b), (plain["id"], world.neighbour), (secret["id"], world.liaison_a),
                     (plain["id"], 999999)]:
        r = act(world.staff, rid, "assign", {"assignee_id": getattr(who, "id", who)})
        assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_assignee"), who
    assert act(world.staff, secret["id"], "assign", {"assignee_id": world.secretary.id}).status_code == 200
    assert act(world.liaison_a, plain["id"], "assign", {"assignee_id": world.liaison_a.id}).status_code == 403
    # The assignee resolves; the member confirms.
    assert act(world.liaison_a, plain["id"], "resolve", {"resolution": "已解决"}).status_code == 200


def test_sensitive_requests_go_to_staff_not_liaisons(world, raise_, act, db):
    raise_(world.member, confidential=True)
    raise_(world.member, category="hardship", urgent=True)
    staff = [world.staff.id]
    assert _told(db) == [("新诉求待受理", staff), ("【紧急】新诉求待受理", staff)]
    body = db.session.scalars(select(Notice.body).where(Notice.source == "request")).all()
    assert all("食堂" not in b for b in body)  # sensitive: named by number only


def test_a_liaison_raises_for_a_member_of_a_grid_they_serve(world, raise_, client, auth, db):
    req = raise_(world.liaison_a, on_behalf_of=world.member.id)
    assert req["member"] == {"id": world.member.id, "name": "张三"}
    assert req["raised_by"] == {"id": world.liaison_a.id, "name": "联络员甲"}
    assert req["timeline"][0]["by"] == {"id": world.liaison_a.id, "name": "联络员甲"}
    assert req["timeline"][0]["body"] == "网格联络员联络员甲代会员张三提交"
    assert _told(db) == []  # the grid's one liaison raised it: nobody else to tell
    assert [i["id"] for i in client.get(f"{API}/me/requests", headers=auth(world.member)).json["items"]] == [req["id"]]
    for who, whom in [(world.liaison_a, world.other), (world.member, world.neighbour), (world.staff, world.member),
                      (world.liaison_a, 999999)]:
        r = client.post(f"{API}/requests", headers=auth(who), json={
            "category": "other", "title": "t", "content": "c", "on_behalf_of": getattr(whom, "id", whom)})
        assert (r.status_code, r.json["error"]["code"]) == (403, "forbidden"), (who.name, whom)


def test_a_liaison_raises_by_employee_number_as_the_mini_program_does(world, raise_, client, auth):
    req = raise_(world.liaison_a, on_behalf_of_employee_no=world.member.employee_no)
    assert req["member"]["id"] == world.member.id and req["raised_by"]["id"] == world.liaison_a.id

    def post(who, **fields):
        return client.post(f"{API}/requests", headers=auth(who),
                           json={"category": "other", "title": "t", "content": "c", **fields})

    r = post(world.liaison_a, on_behalf_of_employee_no=world.other.employee_no)  # another grid
    assert (r.status_code, r.json["error"]["code"]) == (403, "forbidden")
    r = post(world.liaison_a, on_behalf_of_employee_no="NO-SUCH-NO")
    assert (r.status_code, r.json["error"]["code"]) == (404, "not_found")
    assert r.json["error"]["details"]["fields"] == {"on_behalf_of_employee_no": "工号不存在"}
    r = post(world.member, on_behalf_of_employee_no=world.neighbour.employee_no)  # not a liaison
    assert (r.status_code, r.json["error"]["code"]) == (403, "forbidden")
    r = post(world.liaison_a, on_behalf_of=world.member.id, on_behalf_of_employee_no=world.member.employee_no)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request")


def _upload(db, owner, n=1):
    ups = [Upload(owner_id=owner.id, content_type="image/jpeg", size=1000, width=10, height=10,
                  storage_key=f"t/{owner.id}/{utcnow().timestamp()}-{i}") for i in range(n)]
    db.session.add_all(ups)
    db.session.flush()
    return [u.id for u in ups]


def test_photos_are_attached_in_order_and_readable_by_who_sees_the_request(world, raise_, client, auth, db):
    from server.uploads.attach import may_read

    ids = _upload(db, world.member, 3)
    req = raise_(world.member, attachments=[ids[2], ids[0]])
    assert req["attachments"] == [{"id": ids[2], "url": f"/api/v1/uploads/{ids[2]}"},
                                  {"id": ids[0], "url": f"/api/v1/uploads/{ids[0]}"}]
    photo = db.session.get(Upload, ids[2])
    assert (photo.attached_kind, photo.attached_id) == ("request", req["id"])
    assert may_read(world.member, photo) and may_read(world.liaison_a, photo) and may_read(world.staff, photo)
    assert not may_read(world.neighbour, photo) and not may_read(world.liaison_b, photo)
    # Used already, someone else's, unknown, repeated, too many: refused, and nothing is stored.
    others = _upload(db, world.neighbour)
    for bad, code in [([ids[0]], "invalid_attachment"), (others, "invalid_attachment"),
                      (["nope"], "invalid_attachment"), ([ids[1], ids[1]], "invalid_attachment"),
                      (_upload(db, world.member, 7), "invalid_request")]:
        r = client.post(f"{API}/requests", headers=auth(world.member),
                        json={"category": "other", "title": "t", "content": "c", "attachments": bad})
        assert (r.status_code, r.json["error"]["code"]) == (400, code), bad
    assert db.session.get(Upload, ids[1]).attached_kind is None
    assert client.get(f"{API}/me/requests", headers=auth(world.member)).json["total"] == 1


def test_a_member_who_has_left_does_not_block_staff_closing_their_request(world, raise_, act, db):
    # The member leaves the union (the roster marks them inactive) while their request is in hand: the staff's
    # steps still go through; the notice that would have told them is simply not sent.
    req = raise_(world.member)
    assert act(world.staff, req["id"], "accept").status_code == 200
    world.member.is_active = False
    db.session.flush()
    since = _last_notice(db)
    r = act(world.staff, req["id"], "resolve", {"resolution": "已协调食堂延长供餐"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "resolved"
    assert _told(db, since) == []
