"""Department heads' signed links: a valid one reads the proposal and posts an update attributed to the
department; expired, revoked, tampered, replayed, or another proposal's links are refused with a page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import time_machine
from itsdangerous import URLSafeSerializer

from server.core.config import secret_keys
from server.core.timeutil import SHANGHAI, utcnow

from .conftest import API


def _assigned(client, staff, submitted, **kw) -> tuple[int, str]:
    p = submitted(**kw)
    sh = staff[1]
    client.post(f"{API}/proposals/{p['id']}/review", json={"decision": "accept"}, headers=sh)
    due = (utcnow().astimezone(SHANGHAI).date() + timedelta(days=10)).isoformat()
    r = client.post(f"{API}/proposals/{p['id']}/assign", json={"lead_department": "后勤保障部", "due_date": due},
                    headers=sh)
    assert r.status_code == 200, r.get_json()
    return p["id"], due


def _link(client, staff, pid) -> dict:
    r = client.post(f"{API}/proposals/{pid}/head-links", json={"department": "后勤保障部"}, headers=staff[1])
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _path(link: dict) -> str:
    return "/p/" + link["url"].rsplit("/p/", 1)[1]


def _nonce(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def test_a_head_reads_and_posts_an_update_attributed_to_the_department(client, people, staff, submitted):
    pid, due = _assigned(client, staff, submitted, confidential=True)
    link = _link(client, staff, pid)
    assert datetime.fromisoformat(link["expires_at"]) == datetime.fromisoformat(due + "T00:00:00+08:00") + \
        timedelta(days=1)
    r = client.get(_path(link))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "食堂增加夜班供餐" in html and "保密" in html and "张三" not in html
    assert "form-action 'self'" in r.headers["Content-Security-Policy"] and r.headers["Cache-Control"] == "no-store"
    r = client.post(_path(link), data={"nonce": _nonce(html), "body": "已安排夜宵窗口", "kind": "update"})
    assert r.status_code == 200 and "已提交" in r.get_data(as_text=True)
    # The same form again (a replay, or a page on another site without our nonce): refused.
    again = client.post(_path(link), data={"nonce": _nonce(html), "body": "重复", "kind": "update"})
    assert again.status_code == 409
    assert client.post(_path(link), data={"body": "无 nonce"}).status_code == 409
    r = client.post(_path(link), data={"nonce": _nonce(r.get_data(as_text=True)), "body": "正式答复", "kind": "answer"})
    assert r.status_code == 200
    p = client.get(f"{API}/proposals/{pid}", headers=people["proposer"][1]).get_json()
    assert p["status"] == "in_progress"
    steps = [(e["action"], e["department"], e["actor"], e["body"]) for e in p["timeline"]][-2:]
    assert steps == [("update", "后勤保障部", None, "已安排夜宵窗口"), ("answered", "后勤保障部", None, "正式答复")]


def test_revoked_expired_tampered_and_foreign_links_are_refused(client, staff, submitted):
    pid, due = _assigned(client, staff, submitted)
    other, _ = _assigned(client, staff, submitted)
    link = _link(client, staff, pid)
    path = _path(link)
    # Tampered: a changed character in the signature, or a payload signed with another key.
    token = path[3:]
    bad = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    r = client.get("/p/" + bad)
    assert r.status_code == 404 and "链接无效" in r.get_data(as_text=True)
    assert r.headers["Content-Type"].startswith("text/html")
    forged = URLSafeSerializer("another key" * 4, salt="proposal-head-link").dumps({"l": link["id"], "p": pid})
    assert client.get("/p/" + forged).status_code == 404
    # Another proposal: this link's id, signed for the other proposal (as if the payload were edited).
    with client.application.app_context():
        keys = secret_keys(client.application.config, "QR_SECRET_KEY")
    foreign = URLSafeSerializer(list(reversed(keys)), salt="proposal-head-link").dumps({"l": link["id"], "p": other})
    r = client.get("/p/" + foreign)
    assert r.status_code == 404 and "不属于该提案" in r.get_data(as_text=True)
    # Expired after the due date's end (Asia/Shanghai).
    end = datetime.fromisoformat(link["expires_at"])
    with time_machine.travel(end - timedelta(minutes=1)):
        assert client.get(path).status_code == 200
    with time_machine.travel(end + timedelta(seconds=1)):
        r = client.get(path)
        assert r.status_code == 410 and "已过期" in r.get_data(as_text=True)
    # Revoked: at once, for reading and posting.
    html = client.get(path).get_data(as_text=True)
    r = client.delete(f"{API}/proposals/{pid}/head-links/{link['id']}", headers=staff[1])
    assert r.status_code == 204
    assert client.delete(f"{API}/proposals/{pid}/head-links/{link['id']}", headers=staff[1]).status_code == 404
    assert client.delete(f"{API}/proposals/{other}/head-links/{link['id']}", headers=staff[1]).status_code == 404
    r = client.get(path)
    assert r.status_code == 410 and "已撤销" in r.get_data(as_text=True)
    assert client.post(path, data={"nonce": _nonce(html), "body": "x"}).status_code == 410


def test_links_only_for_assigned_proposals_and_staff(client, people, staff, submitted):
    p = submitted()
    r = client.post(f"{API}/proposals/{p['id']}/head-links", json={"department": "后勤保障部"}, headers=staff[1])
    assert r.status_code == 409
    r = client.post(f"{API}/proposals/{p['id']}/head-links", json={"department": "后勤保障部"},
                    headers=people["proposer"][1])
    assert r.status_code == 403


def test_an_empty_update_is_asked_again(client, staff, submitted):
    pid, _ = _assigned(client, staff, submitted)
    path = _path(_link(client, staff, pid))
    html = client.get(path).get_data(as_text=True)
    r = client.post(path, data={"nonce": _nonce(html), "body": "  "})
    assert r.status_code == 400 and "请填写" in r.get_data(as_text=True)
