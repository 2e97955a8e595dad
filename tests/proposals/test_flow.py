"""The whole loop and every refusal, through HTTP on the real database (SQLite or PostgreSQL)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from server.core.timeutil import SHANGHAI, utcnow
from server.notices.models import Notice
from server.proposals.models import Proposal

from .conftest import API, proposal_body


def _notices(db, title_part: str) -> list[Notice]:
    return [n for n in db.session.scalars(select(Notice).where(Notice.source == "proposal"))
            if title_part in n.title]


def test_full_loop(client, db, people, staff, session_id):
    sid = session_id()
    proposer, ph = people["proposer"]
    r = client.post(f"{API}/proposals", json=proposal_body(sid, deadline="2027-03-01"), headers=ph)
    assert r.status_code == 201, r.get_json()
    p = r.get_json()
    assert p["status"] == "draft" and p["deadline"] == "2027-03-01" and p["proposer"]["name"] == "提案人张三"
    pid = p["id"]
    r = client.patch(f"{API}/proposals/{pid}", json={"title": "夜班供餐"}, headers=ph)
    assert r.status_code == 200 and r.get_json()["title"] == "夜班供餐"
    # Not enough co-signers yet.
    r = client.post(f"{API}/proposals/{pid}/submit", headers=ph)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_enough_cosigners"
    assert r.get_json()["error"]["details"] == {"required": 2, "cosigners": 0}
    # By name search and an invitation notice; by the shared card.
    r = client.get(f"{API}/proposals/{pid}/cosigner-candidates?q=李四", headers=ph)
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert [i["name"] for i in items] == ["附议人李四"] and "phone" not in items[0]
    r = client.post(f"{API}/proposals/{pid}/invite", json={"member_ids": [items[0]["id"]]}, headers=ph)
    assert r.status_code == 200
    token = r.get_json()["token"]
    assert _notices(db, "邀请您附议")
    a, ah = people["a"]
    b, bh = people["b"]
    # A draft is hidden from a member without the card...
    assert client.get(f"{API}/proposals/{pid}", headers=bh).status_code == 404
    # ...and opens with it.
    r = client.get(f"{API}/proposal-invites/{token}", headers=bh)
    assert r.status_code == 200 and r.get_json()["id"] == pid
    assert client.post(f"{API}/proposals/{pid}/cosign", json={"invite": token}, headers=bh).status_code == 201
    assert client.post(f"{API}/proposals/{pid}/cosign", json={"invite": token}, headers=ah).status_code == 201
    r = client.post(f"{API}/proposals/{pid}/cosign", json={"invite": token}, headers=ah)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_cosigned"
    r = client.post(f"{API}/proposals/{pid}/submit", headers=ph)
    assert r.status_code == 200, r.get_json()
    p = r.get_json()
    assert p["status"] == "submitted" and p["cosigners_count"] == 2 and p["assignment_due_at"]
    assert _notices(db, "新提案待审查")
    # Review, assign, updates, complete, rating.
    sh = staff[1]
    r = client.post(f"{API}/proposals/{pid}/review", json={"decision": "accept"}, headers=sh)
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    due = (utcnow().astimezone(SHANGHAI).date() + timedelta(days=30)).isoformat()
    r = client.post(f"{API}/proposals/{pid}/assign", headers=sh,
                    json={"lead_department": "后勤保障部", "co_departments": ["财务部"], "due_date": due})
    assert r.status_code == 200, r.get_json()
    p = r.get_json()
    assert p["status"] == "assigned" and p["assigned_at"] and p["due_date"] == due and p["overdue"] is False
    assert p["co_departments"] == ["财务部"]
    r = client.post(f"{API}/proposals/{pid}/updates", json={"body": "已选定窗口", "video_url": "https://v.example/1"},
                    headers=sh)
    assert r.status_code == 201 and r.get_json()["status"] == "in_progress"
    r = client.post(f"{API}/proposals/{pid}/complete", json={"report": "夜宵窗口已开放", "grade": "A"}, headers=sh)
    assert r.status_code == 200 and r.get_json()["grade"] == "A"
    r = client.post(f"{API}/proposals/{pid}/rating", json={"satisfaction": 5}, headers=ph)
    assert r.status_code == 200 and r.get_json()["satisfaction"] == 5
    r = client.post(f"{API}/proposals/{pid}/rating", json={"satisfaction": 4}, headers=ph)
    assert r.status_code == 409
    actions = [e["action"] for e in r.get_json()["error"].get("timeline", [])] or [
        e["action"] for e in client.get(f"{API}/proposals/{pid}", headers=ph).get_json()["timeline"]]
    assert actions == ["created", "cosigned", "cosigned", "submitted", "accepted", "assigned", "update", "completed",
                       "rated"]
    for title in ("提案审查结果", "提案已交办", "提案已办结"):
        assert _notices(db, title), title
    # Lists: every member sees it with its timeline; mine and co-signed ones.
    r = client.get(f"{API}/proposals?session_id={sid}", headers=people["c"][1])
    assert r.status_code == 200 and [i["id"] for i in r.get_json()["items"]] == [pid]
    assert r.get_json()["items"][0]["timeline"]
    assert [i["id"] for i in client.get(f"{API}/me/proposals", headers=ah).get_json()["items"]] == [pid]
    assert [i["id"] for i in client.get(f"{API}/me/proposals", headers=ph).get_json()["items"]] == [pid]
    assert client.get(f"{API}/me/proposals", headers=people["c"][1]).get_json()["items"] == []
    r = client.get(f"{API}/congress-sessions/{sid}", headers=people["c"][1])
    assert r.status_code == 200 and r.get_json()["proposals_count"] == 1


def test_refusals(client, db, people, staff, session_id, submitted):
    ph, ah, ch, sh = people["proposer"][1], people["a"][1], people["c"][1], staff[1]
    sid = session_id()
    pid = client.post(f"{API}/proposals", json=proposal_body(sid), headers=ph).get_json()["id"]
    r = client.post(f"{API}/proposals/{pid}/cosign", json={}, headers=ph)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "own_proposal"
    # Someone else's draft: not visible, so 404; not the proposer's edits.
    assert client.patch(f"{API}/proposals/{pid}", json={"title": "x"}, headers=ah).status_code == 404
    assert client.post(f"{API}/proposals/{pid}/cosign", json={"invite": "forged"}, headers=ah).status_code == 400
    assert client.delete(f"{API}/proposals/{pid}/cosign", headers=ph).status_code == 404
    # Bad bodies.
    for body in ({**proposal_body(sid), "title": ""}, {**proposal_body(sid), "extra": 1},
                 {**proposal_body(sid), "session_id": "1"}, proposal_body(999999)):
        r = client.post(f"{API}/proposals", json=body, headers=ph)
        assert r.status_code == 400, (body, r.get_json())
    # A closed session takes no proposals and no submissions.
    closed = session_id(closes_at=(utcnow() - timedelta(minutes=1)).isoformat())
    r = client.post(f"{API}/proposals", json=proposal_body(closed), headers=ph)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "session_closed"
    p = submitted()
    pid = p["id"]
    # Submitted: no more edits, co-signatures or withdrawals.
    for method, path, body, who in (("PATCH", "", {"title": "x"}, ph), ("POST", "/cosign", {}, ch),
                                    ("DELETE", "/cosign", None, ah), ("POST", "/submit", None, ph)):
        r = client.open(f"{API}/proposals/{pid}{path}", method=method, json=body, headers=who)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition", (path, r.get_json())
    # Reject needs a reason; members cannot review.
    r = client.post(f"{API}/proposals/{pid}/review", json={"decision": "reject"}, headers=sh)
    assert r.status_code == 400
    assert client.post(f"{API}/proposals/{pid}/review", json={"decision": "accept"}, headers=ph).status_code == 403
    # Assign before acceptance, update before assignment, complete, rating: out of turn.
    due = (date.today() + timedelta(days=20)).isoformat()
    r = client.post(f"{API}/proposals/{pid}/assign", json={"lead_department": "x", "due_date": due}, headers=sh)
    assert r.status_code == 409
    assert client.post(f"{API}/proposals/{pid}/updates", json={"body": "x"}, headers=sh).status_code == 409
    assert client.post(f"{API}/proposals/{pid}/complete", json={"report": "x", "grade": "A"}, headers=sh
                       ).status_code == 409
    assert client.post(f"{API}/proposals/{pid}/rating", json={"satisfaction": 3}, headers=ph).status_code == 409
    r = client.post(f"{API}/proposals/{pid}/review", json={"decision": "reject", "reason": "不属于提案范围"},
                    headers=sh)
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    assert r.get_json()["review_reason"] == "不属于提案范围"
    r = client.post(f"{API}/proposals/{pid}/review", json={"decision": "accept"}, headers=sh)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition"
    # An opinion; then bad assignment bodies and a video link that is not http(s).
    q = submitted()["id"]
    r = client.post(f"{API}/proposals/{q}/review", json={"decision": "opinion"}, headers=sh)
    assert r.get_json()["status"] == "opinion"
    q = submitted()["id"]
    client.post(f"{API}/proposals/{q}/review", json={"decision": "accept"}, headers=sh)
    r = client.post(f"{API}/proposals/{q}/assign", json={"lead_department": "x", "due_date": "2020-01-01"}, headers=sh)
    assert r.status_code == 400
    client.post(f"{API}/proposals/{q}/assign", json={"lead_department": "x", "due_date": due}, headers=sh)
    for body in ({"body": "x", "video_url": "javascript:alert(1)"}, {"body": "x", "video_url": "ftp://a/b"},
                 {"body": ""}, {"body": "x", "images": ["nope"]}):
        r = client.post(f"{API}/proposals/{q}/updates", json=body, headers=sh)
        assert r.status_code == 400, (body, r.get_json())
    for body in ({"report": "x", "grade": "D"}, {"report": "x"}):
        assert client.post(f"{API}/proposals/{q}/complete", json=body, headers=sh).status_code == 400
    client.post(f"{API}/proposals/{q}/updates", json={"body": "进展"}, headers=sh)
    client.post(f"{API}/proposals/{q}/complete", json={"report": "x", "grade": "B"}, headers=sh)
    for v in (0, 6, "5"):
        assert client.post(f"{API}/proposals/{q}/rating", json={"satisfaction": v}, headers=ph).status_code == 400
    assert client.post(f"{API}/proposals/{q}/rating", json={"satisfaction": 3}, headers=ah).status_code == 403
    assert client.get(f"{API}/proposals/999999", headers=ph).status_code == 404
    assert client.get(f"{API}/congress-sessions/999999", headers=ph).status_code == 404
    assert client.post(f"{API}/congress-sessions", json={"name": "x", "closes_at": "2027-01-01T00:00:00"},
                       headers=sh).status_code == 400  # no offset


def test_withdraw_while_draft(client, people, session_id):
    ph, ah = people["proposer"][1], people["a"][1]
    pid = client.post(f"{API}/proposals", json=proposal_body(session_id(min_cosigners=1)), headers=ph).get_json()["id"]
    token = client.post(f"{API}/proposals/{pid}/invite", json={}, headers=ph).get_json()["token"]
    assert client.post(f"{API}/proposals/{pid}/cosign", json={"invite": token}, headers=ah).status_code == 201
    r = client.delete(f"{API}/proposals/{pid}/cosign", headers=ah)
    assert r.status_code == 200 and r.get_json()["cosigners_count"] == 0
    r = client.post(f"{API}/proposals/{pid}/submit", headers=ph)
    assert r.get_json()["error"]["code"] == "not_enough_cosigners"


def test_confidential_hides_proposer_and_cosigners(client, db, people, staff, submitted):
    p = submitted(confidential=True)
    pid, sid = p["id"], p["session_id"]
    for who in ("proposer",):
        r = client.get(f"{API}/proposals/{pid}", headers=people[who][1]).get_json()
        assert r["proposer"]["name"] == "提案人张三" and len(r["cosigners"]) == 2
    r = client.get(f"{API}/proposals/{pid}", headers=staff[1]).get_json()
    assert r["proposer"]["name"] == "提案人张三"
    for r in (client.get(f"{API}/proposals/{pid}", headers=people["c"][1]).get_json(),
              client.get(f"{API}/proposals?session_id={sid}", headers=people["c"][1]).get_json()["items"][0]):
        assert r["proposer"] is None and r["cosigners"] is None and r["cosigners_count"] == 2
        assert all(e["actor"] is None for e in r["timeline"])
        assert "张三" not in str(r) and "李四" not in str(r)
    # Notices name it by number only.
    assert all(p["title"] not in n.body for n in db.session.scalars(select(Notice).where(Notice.source == "proposal")))
    assert db.session.get(Proposal, pid).confidential


def test_progress_pictures_are_attached_and_readable_by_who_sees_the_proposal(client, db, people, staff, submitted):
    from server.uploads.attach import may_read
    from server.uploads.models import Upload

    sh = staff[1]
    ups = [Upload(owner_id=staff[0].id, content_type="image/jpeg", size=1000, width=10, height=10,
                  storage_key=f"t/{staff[0].id}/{utcnow().timestamp()}-{i}") for i in range(2)]
    db.session.add_all(ups)
    db.session.flush()
    ids = [u.id for u in ups]
    pid = submitted()["id"]
    client.post(f"{API}/proposals/{pid}/review", json={"decision": "accept"}, headers=sh)
    due = (utcnow().astimezone(SHANGHAI).date() + timedelta(days=5)).isoformat()
    client.post(f"{API}/proposals/{pid}/assign", json={"lead_department": "后勤保障部", "due_date": due}, headers=sh)
    r = client.post(f"{API}/proposals/{pid}/updates", json={"body": "现场照片", "images": [ids[1], ids[0]]}, headers=sh)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["timeline"][-1]["images"] == [f"/api/v1/uploads/{ids[1]}", f"/api/v1/uploads/{ids[0]}"]
    # Attached once: a second update cannot take them again.
    r = client.post(f"{API}/proposals/{pid}/updates", json={"body": "再用", "images": [ids[0]]}, headers=sh)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_attachment"
    photo = db.session.get(Upload, ids[0])
    db.session.refresh(photo)
    assert photo.attached_kind == "proposal" and may_read(people["c"][0], photo)


def test_an_invitation_card_stops_opening_the_draft_when_the_session_closes(client, people, session_id, auth):
    import time_machine

    ph, ah = people["proposer"][1], people["a"][1]
    pid = client.post(f"{API}/proposals", json=proposal_body(session_id(min_cosigners=1)), headers=ph).get_json()["id"]
    token = client.post(f"{API}/proposals/{pid}/invite", json={}, headers=ph).get_json()["token"]
    assert client.get(f"{API}/proposal-invites/{token}", headers=ah).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=11)):  # the session closed on day 10
        r = client.get(f"{API}/proposal-invites/{token}", headers=auth(people["a"][0]))
        assert (r.status_code, r.get_json()["error"]["code"]) == (400, "invalid_token")
        assert "已过期" in r.get_json()["error"]["message"]


def test_members_do_not_see_staff_sending_a_head_link(client, people, staff, submitted):
    p = submitted()
    pid, sh = p["id"], staff[1]
    assert client.post(f"{API}/proposals/{pid}/review", json={"decision": "accept"}, headers=sh).status_code == 200
    assert client.post(f"{API}/proposals/{pid}/assign", headers=sh, json={
        "lead_department": "后勤部", "due_date": (utcnow() + timedelta(days=20)).date().isoformat()}).status_code == 200
    r = client.post(f"{API}/proposals/{pid}/head-links", json={"department": "后勤部"}, headers=sh)
    assert r.status_code == 201
    staff_steps = [s["action"] for s in client.get(f"{API}/proposals/{pid}", headers=sh).get_json()["timeline"]]
    member_steps = [s["action"] for s in client.get(f"{API}/proposals/{pid}", headers=people["a"][1])
                    .get_json()["timeline"]]
    assert "head_link" in staff_steps and "head_link" not in member_steps
    assert member_steps == [s for s in staff_steps if s != "head_link"]
