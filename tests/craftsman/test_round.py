"""The craftsman star through its routes: a round, nominations with photos, the committee's review, the
public vote through the votes API (ballots, close, results), the published winners and their pages."""
from __future__ import annotations

import io
from datetime import timedelta

import time_machine
from sqlalchemy import select

from server.core.timeutil import utcnow
from server.notices.models import Notice
from tests.uploads import pictures

API = "/api/v1"


def _upload(client, headers) -> str:
    r = client.post(f"{API}/uploads", data={"file": (io.BytesIO(pictures.png("RGB")), "a.png", "image/png")},
                    content_type="multipart/form-data", headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _round_body(committee, **kw):
    now = utcnow()
    body = {"year": 2026, "title": "2026年度工匠之星", "nomination_closes_at": (now + timedelta(days=1)).isoformat(),
            "review_closes_at": (now + timedelta(days=2)).isoformat(),
            "vote_opens_at": (now + timedelta(days=2)).isoformat(),
            "vote_closes_at": (now + timedelta(days=3)).isoformat(), "winners": 3, "committee": committee}
    body.update(kw)
    return body


def test_round_validation(client, make, auth):
    staff, c = make.staff(), make.member()
    h = auth(staff)
    assert client.post(f"{API}/craftsman/rounds", json=_round_body([c.id], winners=6), headers=h).status_code == 400
    assert client.post(f"{API}/craftsman/rounds", json=_round_body([c.id], winners=2), headers=h).status_code == 400
    bad = _round_body([c.id], vote_closes_at=utcnow().isoformat())
    assert client.post(f"{API}/craftsman/rounds", json=bad, headers=h).json["error"]["code"] == "invalid_request"
    assert client.post(f"{API}/craftsman/rounds", json=_round_body([999999]), headers=h).status_code == 400
    assert client.post(f"{API}/craftsman/rounds", json=_round_body([c.id]), headers=h).status_code == 201
    r = client.post(f"{API}/craftsman/rounds", json=_round_body([c.id]), headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "round_exists"
    assert client.post(f"{API}/craftsman/rounds", json=_round_body([c.id]), headers=auth(c)).status_code == 403


def test_the_full_round_with_a_real_vote(client, make, auth, db):
    staff = make.staff()
    committee = [make.member(name=f"评委{i}") for i in range(3)]
    nominator = make.member(name="推荐人")
    nominees = [make.member(name=f"工匠{i}", department="数控车间") for i in range(5)]
    voters = [make.member() for _ in range(6)]
    outsider = make.member()
    hs = auth(staff)
    r = client.post(f"{API}/craftsman/rounds", json=_round_body([c.id for c in committee]), headers=hs)
    assert r.status_code == 201, r.json
    rnd = r.json
    assert rnd["stage"] == "nominating" and [p["id"] for p in rnd["committee"]] == sorted(c.id for c in committee)
    opened = db.session.scalar(select(Notice).where(Notice.source == "craftsman"))
    assert opened.audience.get("all") and "开始推荐" in opened.title

    # Nominations: by another member with photos, and one self-nomination.
    hn = auth(nominator)
    photos = [_upload(client, hn), _upload(client, hn)]
    noms = []
    for i, m in enumerate(nominees):
        body = {"nominee_id": m.id, "reason": f"技术骨干{i}", "evidence": "获得省级技能大赛一等奖",
                "photos": photos if i == 0 else []}
        headers = auth(m) if i == 4 else hn
        r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/nominations", json=body, headers=headers)
        assert r.status_code == 201, r.json
        noms.append(r.json)
    assert noms[4]["self_nominated"] is True and [p["id"] for p in noms[0]["photos"]] == photos
    r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/nominations",
                    json={"nominee_id": nominees[0].id, "reason": "再推"}, headers=auth(voters[0]))
    assert r.status_code == 409 and r.json["error"]["code"] == "already_nominated"
    # Someone else's (or an attached) photo refuses the whole nomination.
    r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/nominations",
                    json={"nominee_id": voters[1].id, "reason": "x", "photos": [photos[0]]}, headers=auth(voters[0]))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_attachment"
    hidden = _upload(client, auth(nominees[4]))
    r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/nominations",
                    json={"nominee_id": voters[1].id, "reason": "x", "photos": [hidden]}, headers=auth(nominees[4]))
    assert r.status_code == 201  # voters[1]: reviewed by nobody, never shortlisted
    # Photos: not for an outsider while under review; the list of nominations is 403 for members until then.
    assert client.get(f"{API}/uploads/{photos[0]}", headers=auth(outsider)).status_code == 404
    assert client.get(f"{API}/uploads/{photos[0]}", headers=auth(committee[0])).status_code == 200
    r = client.get(f"{API}/craftsman/rounds/{rnd['id']}/nominations", headers=auth(outsider))
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    full = client.get(f"{API}/craftsman/rounds/{rnd['id']}/nominations", headers=auth(committee[1])).json
    assert full["total"] == 6 and full["items"][0]["nominated_by"]["id"] == nominator.id

    # Review: committee only, once each. Nominees 0–3 win a majority of those who reviewed; 4 does not.
    votes_of = {0: [True, True, True], 1: [True, True, False], 2: [True, False], 3: [True], 4: [True, False]}
    for i, approvals in votes_of.items():
        for c, approve in zip(committee, approvals, strict=False):
            r = client.post(f"{API}/craftsman/nominations/{noms[i]['id']}/review", json={"approve": approve},
                            headers=auth(c))
            assert r.status_code == 201, r.json
    r = client.post(f"{API}/craftsman/nominations/{noms[0]['id']}/review", json={"approve": False},
                    headers=auth(committee[0]))
    assert r.status_code == 409 and r.json["error"]["code"] == "already_reviewed"
    r = client.post(f"{API}/craftsman/nominations/{noms[0]['id']}/review", json={"approve": True}, headers=hs)
    assert r.status_code == 403
    seen = client.get(f"{API}/craftsman/rounds/{rnd['id']}/nominations", headers=auth(committee[0])).json["items"]
    assert [(n["approvals"], n["reviews"], n["shortlisted"]) for n in seen] == [
        (3, 3, True), (2, 3, True), (1, 2, False), (1, 1, True), (1, 2, False), (0, 0, False)]
    assert seen[0]["my_review"] == {"approve": True, "comment": ""}
    r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/open-vote", headers=hs)
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"
    r = client.post(f"{API}/craftsman/nominations/{noms[2]['id']}/review", json={"approve": True},
                    headers=auth(committee[2]))
    assert r.status_code == 201  # now 2 of 3

    start = utcnow()
    with time_machine.travel(start + timedelta(days=2, minutes=1)):
        hs = auth(staff)  # tokens last 12 hours
        assert client.post(f"{API}/craftsman/nominations/{noms[4]['id']}/review", json={"approve": True},
                           headers=auth(committee[2])).json["error"]["code"] == "review_closed"
        r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/nominations",
                        json={"nominee_id": outsider.id, "reason": "x"}, headers=auth(outsider))
        assert r.json["error"]["code"] == "nomination_closed"
        short = client.get(f"{API}/craftsman/rounds/{rnd['id']}/nominations", headers=auth(outsider)).json
        assert [n["nominee"]["id"] for n in short["items"]] == [nominees[i].id for i in (0, 1, 2, 3)]
        assert short["items"][0]["reviews"] is None and short["items"][0]["nominated_by"] is None
        assert client.get(f"{API}/uploads/{photos[0]}", headers=auth(outsider)).status_code == 200
        # A nomination left off the shortlist keeps its photos from members; its nominator still sees them.
        assert client.get(f"{API}/uploads/{hidden}", headers=auth(outsider)).status_code == 404
        assert client.get(f"{API}/uploads/{hidden}", headers=auth(nominees[4])).status_code == 200

        r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/open-vote", headers=hs)
        assert r.status_code == 200, r.json
        assert r.json["stage"] == "voting" and r.json["vote_id"]
        vote_id = r.json["vote_id"]
        assert client.post(f"{API}/craftsman/rounds/{rnd['id']}/open-vote", headers=hs).status_code == 409
        vote = client.get(f"{API}/votes/{vote_id}", headers=auth(outsider)).json
        assert vote["max_choices"] == 3 and vote["status"] == "open"
        assert [c["name"] for c in vote["candidates"]] == ["工匠0", "工匠1", "工匠2", "工匠3"]
        assert vote["candidates"][0]["photo_url"] == f"/api/v1/uploads/{photos[0]}"
        assert vote["candidates"][1]["photo_url"] is None
        told = db.session.scalar(select(Notice).where(Notice.source == "craftsman", Notice.title.contains("入围")))
        assert told.audience["member_ids"] == sorted(nominees[i].id for i in (0, 1, 2, 3))

        cand = [c["id"] for c in vote["candidates"]]
        # 工匠3 and 工匠1 tie on 4 votes: 工匠1 has more approvals (2 against 1) and goes first.
        ballots = [[cand[0], cand[1], cand[3]], [cand[0], cand[1], cand[3]], [cand[0], cand[3]], [cand[1], cand[3]],
                   [cand[1], cand[2]], [cand[0]]]
        for m, choices in zip(voters, ballots, strict=True):
            r = client.post(f"{API}/votes/{vote_id}/ballots", json={"choices": choices}, headers=auth(m))
            assert r.status_code == 201, r.json
        r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/publish", headers=hs)
        assert r.status_code == 409 and r.json["error"]["code"] == "vote_not_closed"

    with time_machine.travel(start + timedelta(days=3, minutes=1)):
        hs = auth(staff)
        assert client.get(f"{API}/craftsman/rounds/{rnd['id']}", headers=hs).json["stage"] == "counting"
        results = client.get(f"{API}/votes/{vote_id}/results", headers=auth(outsider)).json
        assert [c["votes"] for c in results["candidates"]] == [4, 4, 1, 4]
        r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/publish", headers=hs)
        assert r.status_code == 200 and r.json["stage"] == "published" and r.json["published_at"]
        assert client.post(f"{API}/craftsman/rounds/{rnd['id']}/publish", headers=hs).status_code == 409

    winners = client.get(f"{API}/craftsman/winners?year=2026", headers=auth(outsider)).json
    # 4 votes each for 工匠0 (3 approvals), 工匠1 (2), 工匠3 (1): approvals order them.
    assert [(w["rank"], w["member"]["name"], w["votes"]) for w in winners["items"]] == [
        (1, "工匠0", 4), (2, "工匠1", 4), (3, "工匠3", 4)]
    first = client.get(f"{API}/craftsman/winners/{winners['items'][0]['id']}", headers=auth(outsider)).json
    assert first["department"] == "数控车间" and first["reason"] == "技术骨干0" and first["year"] == 2026
    assert first["evidence"] == "获得省级技能大赛一等奖" and [p["id"] for p in first["photos"]] == photos
    assert client.get(first["photos"][1]["url"], headers=auth(outsider)).status_code == 200
    assert client.get(f"{API}/craftsman/winners?year=2025", headers=auth(outsider)).json["total"] == 0
    assert client.get(f"{API}/craftsman/winners/{winners['items'][0]['id']}").status_code == 401
    assert client.get(f"{API}/craftsman/winners/999999", headers=auth(outsider)).status_code == 404
    published = db.session.scalar(select(Notice).where(Notice.source == "craftsman", Notice.title.contains("结果")))
    assert published.audience.get("all")


def test_too_short_a_shortlist_opens_no_vote(client, make, auth):
    staff, c = make.staff(), make.member()
    rnd = client.post(f"{API}/craftsman/rounds", json=_round_body([c.id]), headers=auth(staff)).json
    n = client.post(f"{API}/craftsman/rounds/{rnd['id']}/nominations",
                    json={"nominee_id": c.id, "reason": "自荐"}, headers=auth(c)).json
    client.post(f"{API}/craftsman/nominations/{n['id']}/review", json={"approve": True}, headers=auth(c))
    with time_machine.travel(utcnow() + timedelta(days=2, minutes=1)):
        r = client.post(f"{API}/craftsman/rounds/{rnd['id']}/open-vote", headers=auth(staff))
        assert r.status_code == 409 and r.json["error"]["code"] == "shortlist_too_short"
