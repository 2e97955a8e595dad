"""The mini-program's council fixtures are anchored to the server's answers: miniprogram/tests/fixtures/council.json
holds real answers (representatives, topics, a topic with its published selection, a page of ideas, a support,
the 409s a member can meet); the Jest suite builds its fixtures from that file, and this test checks the file's
shapes (keys, recursively) and error codes against what the server answers now.
MINIPROGRAM_FIXTURES=write rewrites the file from this run's answers instead."""
from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy import select

from server.core.timeutil import utcnow
from server.notices.models import Notice

from ..proposals.test_miniprogram_fixture import shape

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/council.json"
APP_JSON = Path(__file__).resolve().parents[2] / "miniprogram/app.json"
HINT = "the server's council shapes changed: refresh miniprogram/tests/fixtures/council.json " \
       "(MINIPROGRAM_FIXTURES=write) and the mini-program's pages"


def _answers(client, make, auth, db) -> dict:
    admin, staff = make.member(roles=("admin",), name="管理员"), make.staff(name="工会干事")
    rep = make.member(department="机修车间", name="代表张三")
    author = make.member(department="机修车间", name="职工李四")
    me = make.member(department="机修车间", name="职工王芳")
    h, ha, hs = auth(me), auth(author), auth(staff)
    out = {"representatives": None}
    r = client.put(f"{API}/council/representatives", json={"department": "机修车间", "member_id": rep.id},
                   headers=auth(admin))
    assert r.status_code == 200, r.get_json()
    out["representatives"] = client.get(f"{API}/council/representatives", headers=h).get_json()

    closes = (utcnow() + timedelta(days=10)).isoformat()
    r = client.post(f"{API}/council/topics", json={"month": "2026-12", "title": "食堂就餐与考勤打卡",
                                                   "description": "说说食堂的菜品、价格和排队", "closes_at": closes},
                    headers=hs)
    assert r.status_code == 201, r.get_json()
    topic = r.get_json()
    notice = db.session.scalar(select(Notice).where(Notice.source == "council"))
    out["topic_notice_page"] = notice.page

    ideas = []
    for title, body in (("夜班增加热餐", "夜班职工吃不上热饭"), ("打卡机增加一台", "早高峰排队十分钟")):
        r = client.post(f"{API}/council/topics/{topic['id']}/ideas", json={"title": title, "body": body}, headers=ha)
        assert r.status_code == 201, r.get_json()
        ideas.append(r.get_json())
    r = client.post(f"{API}/council/topics/{topic['id']}/ideas", json={"title": "食堂增加窗口", "body": "排队太久"},
                    headers=h)
    out["idea_posted"] = r.get_json()
    r = client.post(f"{API}/council/ideas/{ideas[0]['id']}/support", headers=h)
    assert r.status_code == 201
    out["supported"] = r.get_json()
    out["already_supported"] = client.post(f"{API}/council/ideas/{ideas[0]['id']}/support", headers=h).get_json()
    out["own_idea"] = client.post(f"{API}/council/ideas/{out['idea_posted']['id']}/support", headers=h).get_json()
    client.post(f"{API}/council/ideas/{ideas[1]['id']}/support", headers=h)
    r = client.delete(f"{API}/council/ideas/{ideas[1]['id']}/support", headers=h)
    assert r.status_code == 200
    out["withdrawn"] = r.get_json()

    assert client.post(f"{API}/council/ideas/{ideas[0]['id']}/select", headers=hs).status_code == 200
    r = client.post(f"{API}/council/ideas/{ideas[0]['id']}/answer", json={"answer": "下月起夜班供应热餐"}, headers=hs)
    assert r.status_code == 200
    out["topics"] = client.get(f"{API}/council/topics", headers=h).get_json()
    out["topic"] = client.get(f"{API}/council/topics/{topic['id']}", headers=h).get_json()
    out["ideas"] = client.get(f"{API}/council/topics/{topic['id']}/ideas?sort=support", headers=h).get_json()

    with time_machine.travel(utcnow() + timedelta(days=11)):
        h = auth(me)
        out["topic_closed"] = client.post(f"{API}/council/ideas/{ideas[1]['id']}/support", headers=h).get_json()
        out["closed_topic"] = client.get(f"{API}/council/topics/{topic['id']}", headers=h).get_json()
    return out


def test_fixture_has_the_servers_shape(client, make, auth, db):
    real = _answers(client, make, auth, db)
    if os.environ.get("MINIPROGRAM_FIXTURES") == "write":
        FIXTURE.write_text(json.dumps(real, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert sorted(stored) == sorted(real), HINT
    for key, value in real.items():
        assert shape(value) == shape(stored[key]), f"{key}: {HINT}"
    for code in ("already_supported", "own_idea", "topic_closed"):
        assert real[code]["error"]["code"] == stored[code]["error"]["code"] == code
    # What the fixture shows is what the pages are tested on.
    assert real["topic"]["selected"][0]["answer"] == "下月起夜班供应热餐"
    assert [i["supports"] for i in real["ideas"]["items"]] == [1, 0, 0]
    assert real["closed_topic"]["status"] == "closed"
    # Notices open the topic's page, which the mini-program has.
    assert real["topic_notice_page"] == f"pages/council/topic?id={real['topic']['id']}"
    pages = json.loads(APP_JSON.read_text(encoding="utf-8"))["pages"]
    assert real["topic_notice_page"].split("?")[0] in pages
