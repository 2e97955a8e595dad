"""The worker council through its routes: representatives, monthly topics, ideas, supports, the selection
and management's answer, and the notices each step sends (both databases)."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from server.core.timeutil import utcnow
from server.notices.models import Notice, NoticeRecipient

API = "/api/v1"


def _topic_body(**kw):
    body = {"month": "2026-12", "title": "食堂就餐", "description": "说说食堂的菜品、价格和排队",
            "closes_at": (utcnow() + timedelta(days=10)).isoformat()}
    body.update(kw)
    return body


def test_representatives_one_per_department_from_its_roster(client, make, auth):
    admin = make.member(roles=("admin",))
    a, b = make.member(department="机修车间", name="代表甲"), make.member(department="机修车间", name="代表乙")
    other = make.member(department="质检中心")
    h = auth(admin)
    r = client.put(f"{API}/council/representatives", json={"department": "机修车间", "member_id": other.id}, headers=h)
    assert r.status_code == 400 and r.json["error"]["code"] == "not_in_department"
    r = client.put(f"{API}/council/representatives", json={"department": "无此部门", "member_id": a.id}, headers=h)
    assert r.status_code == 400 and "department" in r.json["error"]["details"]["fields"]
    r = client.put(f"{API}/council/representatives", json={"department": "机修车间", "member_id": a.id}, headers=h)
    assert r.status_code == 200 and r.json["member"] == {"id": a.id, "name": "代表甲"}
    # Replacing keeps one per department.
    r = client.put(f"{API}/council/representatives", json={"department": "机修车间", "member_id": b.id}, headers=h)
    assert r.status_code == 200
    client.put(f"{API}/council/representatives", json={"department": "质检中心", "member_id": other.id}, headers=h)
    items = client.get(f"{API}/council/representatives", headers=auth(a)).json["items"]
    assert sorted((i["department"], i["member"]["id"]) for i in items) == sorted([("机修车间", b.id),
                                                                                 ("质检中心", other.id)])
    assert client.put(f"{API}/council/representatives", json={"department": "机修车间", "member_id": a.id},
                      headers=auth(make.staff())).status_code == 403


def test_one_topic_per_month_and_everyone_is_told(client, make, auth, db):
    staff, member = make.staff(), make.member()
    h = auth(staff)
    r = client.post(f"{API}/council/topics", json=_topic_body(), headers=h)
    assert r.status_code == 201, r.json
    topic = r.json
    assert topic["status"] == "open" and topic["month"] == "2026-12" and topic["selected"] == []
    r = client.post(f"{API}/council/topics", json=_topic_body(title="考勤"), headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "topic_exists"
    assert client.post(f"{API}/council/topics", json=_topic_body(month="2026-13"), headers=h).status_code == 400
    assert client.post(f"{API}/council/topics", json=_topic_body(month="2027-01", closes_at="2026-12-01T09:00:00"),
                       headers=h).status_code == 400
    notice = db.session.scalar(select(Notice).where(Notice.source == "council"))
    assert notice.audience.get("all") and "食堂就餐" in notice.title
    recipients = set(db.session.scalars(select(NoticeRecipient.member_id)
                                        .where(NoticeRecipient.notice_id == notice.id)))
    assert member.id in recipients
    page = client.get(f"{API}/council/topics", headers=auth(member)).json
    assert page["total"] == 1 and page["items"][0]["ideas_count"] == 0


def test_ideas_supports_selection_and_answer(client, make, auth, db):
    staff = make.staff()
    author, fans = make.member(name="提议人"), [make.member() for _ in range(3)]
    topic = client.post(f"{API}/council/topics", json=_topic_body(), headers=auth(staff)).json
    r = client.post(f"{API}/council/topics/{topic['id']}/ideas", json={"title": "增加夜班热餐", "body": "夜班只有面包"},
                    headers=auth(author))
    assert r.status_code == 201 and r.json["supports"] == 0 and r.json["mine"] is True
    idea = r.json
    other = client.post(f"{API}/council/topics/{topic['id']}/ideas", json={"title": "错峰就餐", "body": "分批"},
                        headers=auth(fans[0])).json
    r = client.post(f"{API}/council/ideas/{idea['id']}/support", headers=auth(author))
    assert r.status_code == 409 and r.json["error"]["code"] == "own_idea"
    for f in fans:
        r = client.post(f"{API}/council/ideas/{idea['id']}/support", headers=auth(f))
        assert r.status_code == 201
    assert r.json["supports"] == 3 and r.json["supported"] is True
    r = client.post(f"{API}/council/ideas/{idea['id']}/support", headers=auth(fans[0]))
    assert r.status_code == 409 and r.json["error"]["code"] == "already_supported"
    r = client.delete(f"{API}/council/ideas/{idea['id']}/support", headers=auth(fans[2]))
    assert r.status_code == 200 and r.json["supports"] == 2 and r.json["supported"] is False
    r = client.delete(f"{API}/council/ideas/{idea['id']}/support", headers=auth(fans[2]))
    assert r.status_code == 409 and r.json["error"]["code"] == "not_supported"
    client.post(f"{API}/council/ideas/{other['id']}/support", headers=auth(author))
    ideas = client.get(f"{API}/council/topics/{topic['id']}/ideas", headers=auth(fans[1])).json
    assert [(i["id"], i["supports"], i["supported"]) for i in ideas["items"]] == [(idea["id"], 2, True),
                                                                                 (other["id"], 1, False)]
    newest = client.get(f"{API}/council/topics/{topic['id']}/ideas?sort=new", headers=auth(fans[1])).json
    assert [i["id"] for i in newest["items"]] == [other["id"], idea["id"]]

    # Only staff record the selection; the answer only after it; each step once.
    assert client.post(f"{API}/council/ideas/{idea['id']}/select", headers=auth(author)).status_code == 403
    r = client.post(f"{API}/council/ideas/{idea['id']}/answer", json={"answer": "好"}, headers=auth(staff))
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"
    r = client.post(f"{API}/council/ideas/{idea['id']}/select", headers=auth(staff))
    assert r.status_code == 200 and r.json["status"] == "selected"
    assert client.post(f"{API}/council/ideas/{idea['id']}/select", headers=auth(staff)).status_code == 409
    shown = client.get(f"{API}/council/topics/{topic['id']}", headers=auth(fans[2])).json
    assert [(s["id"], s["answer"]) for s in shown["selected"]] == [(idea["id"], None)]
    r = client.post(f"{API}/council/ideas/{idea['id']}/answer", json={"answer": "下月起夜班供应热餐"},
                    headers=auth(staff))
    assert r.status_code == 200 and r.json["status"] == "answered"
    shown = client.get(f"{API}/council/topics/{topic['id']}", headers=auth(fans[2])).json
    assert shown["selected"][0]["answer"] == "下月起夜班供应热餐" and shown["ideas_count"] == 2
    told = db.session.execute(select(Notice.title, Notice.audience).where(Notice.source == "council")
                              .order_by(Notice.id)).all()
    assert [t for t, _ in told][1:] == ["您的建议已被议事会选送", "您的建议已有答复"]
    assert all(a["member_ids"] == [author.id] for _, a in told[1:])
    filtered = client.get(f"{API}/council/topics/{topic['id']}/ideas?status=answered", headers=auth(author)).json
    assert filtered["total"] == 1


def test_a_closed_topic_takes_no_ideas_nor_supports(client, make, auth):
    staff, a, b = make.staff(), make.member(), make.member()
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    topic = client.post(f"{API}/council/topics", json=_topic_body(closes_at=soon), headers=auth(staff)).json
    idea = client.post(f"{API}/council/topics/{topic['id']}/ideas", json={"title": "t", "body": "b"},
                       headers=auth(a)).json
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        r = client.post(f"{API}/council/topics/{topic['id']}/ideas", json={"title": "t", "body": "b"}, headers=auth(a))
        assert r.status_code == 409 and r.json["error"]["code"] == "topic_closed"
        assert client.post(f"{API}/council/ideas/{idea['id']}/support", headers=auth(b)).json["error"]["code"] == \
            "topic_closed"
        assert client.get(f"{API}/council/topics/{topic['id']}", headers=auth(b)).json["status"] == "closed"
        # The council selects after the close.
        assert client.post(f"{API}/council/ideas/{idea['id']}/select", headers=auth(staff)).status_code == 200
    assert client.get(f"{API}/council/topics/999999", headers=auth(a)).status_code == 404
    assert client.post(f"{API}/council/ideas/999999/support", headers=auth(a)).status_code == 404
