"""Limits on what a loop could abuse (the co-signer name search, a department head's link), and staff reads of
a confidential proposal recorded in the audit trail."""
from __future__ import annotations

from sqlalchemy import select

from server.audit_trail.models import AuditTrailEntry

from .conftest import API, proposal_body
from .test_head_links import _assigned, _link, _nonce, _path


def test_the_name_search_stops_a_member_listing_the_roster(client, app, monkeypatch, people, session_id):
    monkeypatch.setitem(app.config, "MEMBER_SEARCH_LIMIT", "2/hour")
    ph = people["proposer"][1]
    pid = client.post(f"{API}/proposals", json=proposal_body(session_id()), headers=ph).get_json()["id"]
    for q in ("李", "王"):
        assert client.get(f"{API}/proposals/{pid}/cosigner-candidates?q={q}", headers=ph).status_code == 200
    r = client.get(f"{API}/proposals/{pid}/cosigner-candidates?q=赵", headers=ph)
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0
    # Another member's searches are counted apart.
    other = client.post(f"{API}/proposals", json=proposal_body(session_id()), headers=people["a"][1]).get_json()["id"]
    assert client.get(f"{API}/proposals/{other}/cosigner-candidates?q=赵", headers=people["a"][1]).status_code == 200


def test_a_link_posted_in_a_loop_is_stopped_with_a_page(client, app, monkeypatch, people, staff, submitted):
    monkeypatch.setitem(app.config, "HEAD_LINK_POST_LIMIT", "2/hour")
    pid, _ = _assigned(client, staff, submitted)
    path = _path(_link(client, staff, pid))
    html = client.get(path).get_data(as_text=True)
    for body in ("第一次", "第二次"):
        r = client.post(path, data={"nonce": _nonce(html), "body": body, "kind": "update"})
        assert r.status_code == 200, r.get_data(as_text=True)
        html = r.get_data(as_text=True)
    r = client.post(path, data={"nonce": _nonce(html), "body": "第三次", "kind": "update"})
    assert r.status_code == 429 and "提交过于频繁" in r.get_data(as_text=True) and int(r.headers["Retry-After"]) > 0
    timeline = client.get(f"{API}/proposals/{pid}", headers=people["proposer"][1]).get_json()["timeline"]
    assert [e["body"] for e in timeline if e["action"] == "update"] == ["第一次", "第二次"]


def test_staff_opening_a_confidential_proposal_is_recorded(client, db, people, staff, submitted):
    secret = submitted(confidential=True)
    plain = submitted()
    proposer, ph = people["proposer"]
    assert client.get(f"{API}/proposals/{secret['id']}", headers=ph).status_code == 200  # the proposer: not logged
    assert client.get(f"{API}/proposals/{plain['id']}", headers=staff[1]).status_code == 200  # not confidential
    r = client.get(f"{API}/proposals/{secret['id']}", headers=staff[1])
    assert r.status_code == 200 and r.get_json()["proposer"]["name"] == "提案人张三"
    rows = db.session.execute(select(AuditTrailEntry.entity, AuditTrailEntry.entity_id, AuditTrailEntry.action,
                                     AuditTrailEntry.actor_id)).all()
    assert rows == [("proposal", str(secret["id"]), "read_confidential", staff[0].id)]
