"""Votes through the API: drafting, publishing, ballots and every refusal, results after the close only,
turnout while open, receipts, paper counts entered by two staff members."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.members.models import Member
from server.notices.models import Notice
from server.votes.models import VoteBallot, VoteHeldBallot, VoteVoter

from .conftest import API, vote_body


def _ids(vote):
    return [c["id"] for c in vote["candidates"]]


def test_create_validates_and_answers_the_vote(client, staff, db):
    _, headers = staff
    r = client.post(f"{API}/votes", json=vote_body(max_choices=4), headers=headers)
    assert r.status_code == 400 and "max_choices" in r.json["error"]["details"]["fields"]
    now = utcnow()
    same = vote_body(opens_at=now.isoformat(), closes_at=now.isoformat())
    r = client.post(f"{API}/votes", json=same, headers=headers)
    assert r.status_code == 400 and "closes_at" in r.json["error"]["details"]["fields"]
    r = client.post(f"{API}/votes", json=vote_body(audience={"departments": ["没有这个部门"]}), headers=headers)
    assert r.status_code == 400 and "audience.departments" in r.json["error"]["details"]["fields"]
    r = client.post(f"{API}/votes", json=vote_body(candidates=[]), headers=headers)
    assert r.status_code == 400
    r = client.post(f"{API}/votes", json=vote_body(max_choices=0), headers=headers)
    assert r.status_code == 400
    r = client.post(f"{API}/votes", json=vote_body(candidates=[{"name": "甲", "photo": "nope"}], max_choices=1),
                    headers=headers)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_attachment"
    r = client.post(f"{API}/votes", json=vote_body(audience={"all": True}), headers=headers)
    assert r.status_code == 201, r.json
    vote = r.json
    assert vote["status"] == "draft" and vote["max_choices"] == 2 and vote["audience"]["all"] is True
    assert [c["name"] for c in vote["candidates"]] == ["张师傅", "李师傅", "王师傅"]
    assert all(isinstance(c["id"], int) and c["photo_url"] is None for c in vote["candidates"])
    assert vote["created_by"]["name"] == "工会干事甲" and vote["results_available"] is False

    # Drafts change; published ones do not.
    r = client.patch(f"{API}/votes/{vote['id']}", json={"title": "评优评先", "candidates": [{"name": "赵"}]},
                     headers=headers)
    assert r.status_code == 400  # max_choices 2 > 1 candidate
    two = {"title": "评优评先", "max_choices": 1, "candidates": [{"name": "赵"}, {"name": "钱"}]}
    r = client.patch(f"{API}/votes/{vote['id']}", json=two, headers=headers)
    assert r.status_code == 200 and r.json["title"] == "评优评先" and len(r.json["candidates"]) == 2
    assert client.post(f"{API}/votes/{vote['id']}/publish", headers=headers).json["status"] == "open"
    r = client.patch(f"{API}/votes/{vote['id']}", json={"title": "x"}, headers=headers)
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"
    r = client.post(f"{API}/votes/{vote['id']}/publish", headers=headers)
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"
    notice = db.session.scalar(select(Notice).where(Notice.source == "vote"))
    assert notice is not None and "评优评先" in notice.title and notice.page == f"pages/votes/detail?id={vote['id']}"


def test_candidate_photos_are_read_by_the_audience_and_staff_only(client, staff, make, auth, db):
    from server.uploads.models import Upload

    staff_member, headers = staff
    up = Upload(owner_id=staff_member.id, content_type="image/png", size=1, width=1, height=1, storage_key="v/1")
    db.session.add(up)
    db.session.flush()
    make.department("锻造车间")
    body = vote_body(audience={"departments": ["锻造车间"]},
                     candidates=[{"name": "甲", "photo": up.id}, {"name": "乙"}])
    r = client.post(f"{API}/votes", json=body, headers=headers)
    assert r.status_code == 201, r.json
    vote = r.json
    assert vote["candidates"][0]["photo_url"] == f"/api/v1/uploads/{up.id}"
    db.session.refresh(up)
    assert (up.attached_kind, up.attached_id) == ("vote_candidate", vote["candidates"][0]["id"])
    from server.uploads.attach import may_read

    inside, outside = make.member(department="锻造车间"), make.member(department="机修车间")
    assert may_read(staff_member, up)
    assert not may_read(inside, up)  # a draft is for staff only
    client.post(f"{API}/votes/{vote['id']}/publish", headers=headers)
    assert may_read(inside, up) and not may_read(outside, up)
    assert client.get(f"{API}/votes/{vote['id']}", headers=auth(outside)).status_code == 404
    seen = client.get(f"{API}/votes/{vote['id']}", headers=auth(inside)).json
    assert seen["candidates"][0]["photo_url"] == f"/api/v1/uploads/{up.id}" and seen["voted"] is False


def test_ballot_codes(client, open_vote, make, auth, staff):
    vote = open_vote(audience={"departments": [make.department("生产一部").name]})
    a, b, c = _ids(vote)
    member = make.member(department="生产一部")
    h = auth(member)
    url = f"{API}/votes/{vote['id']}/ballots"
    for bad in ([], [a, a], [a, b, c], [999999], "x", [0]):
        r = client.post(url, json={"choices": bad}, headers=h)
        assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request", bad
    r = client.post(url, json={"choices": [a]}, headers=auth(make.member(department="机修车间")))
    assert r.status_code == 403 and r.json["error"]["code"] == "not_eligible"
    assert client.post(f"{API}/votes/999999/ballots", json={"choices": [a]}, headers=h).status_code == 404
    r = client.post(url, json={"choices": [a, c]}, headers=h)
    assert r.status_code == 201, r.json
    receipt = r.json["receipt"]
    assert len(receipt.replace("-", "")) == 16  # 80 bits
    r = client.post(url, json={"choices": [b]}, headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "already_voted"
    mine = client.get(f"{API}/me/votes", headers=h).json
    assert [(v["id"], v["voted"], v["candidates_count"]) for v in mine["items"]] == [(vote["id"], True, 3)]
    # not yet open, and after the close
    later = open_vote(opens_at=(utcnow() + timedelta(hours=1)).isoformat())
    assert later["status"] == "scheduled"
    r = client.post(f"{API}/votes/{later['id']}/ballots", json={"choices": [_ids(later)[0]]}, headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "vote_closed"
    assert later["id"] not in [v["id"] for v in client.get(f"{API}/me/votes", headers=h).json["items"]]
    _, staff_h = staff
    assert client.post(f"{API}/votes/{vote['id']}/close", headers=staff_h).json["status"] == "closed"
    r = client.post(url, json={"choices": [b]}, headers=auth(make.member(department="生产一部")))
    assert r.status_code == 409 and r.json["error"]["code"] == "vote_closed"
    # A draft is not there for members.
    draft = client.post(f"{API}/votes", json=vote_body(), headers=staff_h).json
    r = client.post(f"{API}/votes/{draft['id']}/ballots", json={"choices": [_ids(draft)[0]]}, headers=h)
    assert r.status_code == 404


def test_results_after_the_close_only_turnout_while_open(client, open_vote, make, auth, staff, db):
    _, staff_h = staff
    start = utcnow()
    vote = open_vote(closes_at=(start + timedelta(hours=1)).isoformat())
    a, b, c = _ids(vote)
    voters = [make.member(department="冲压车间") for _ in range(6)] + [make.member(department="小部门")]
    make.member(department="冲压车间")  # eligible, does not vote
    receipts = []
    for i, m in enumerate(voters):
        r = client.post(f"{API}/votes/{vote['id']}/ballots", json={"choices": [a] if i % 2 else [a, b]},
                        headers=auth(m))
        assert r.status_code == 201
        receipts.append(r.json["receipt"])
    results = f"{API}/votes/{vote['id']}/results"
    for h in (auth(voters[0]), staff_h):
        r = client.get(results, headers=h)
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    # Held, not filed, while open: nothing countable.
    assert db.session.scalar(select(func.count()).select_from(VoteBallot)) == 0
    assert db.session.scalar(select(func.count()).select_from(VoteHeldBallot)) == 7
    t = client.get(f"{API}/votes/{vote['id']}/turnout", headers=staff_h).json
    everyone = db.session.scalar(select(func.count()).select_from(Member).where(Member.is_active.is_(True)))
    assert t["voted"] == 7 and t["eligible"] == everyone and t["status"] == "open"
    groups = {g["department"]: (g["eligible"], g["voted"]) for g in t["by_department"]}
    assert groups["冲压车间"] == (7, 6) and "小部门" not in groups  # 1 eligible: merged
    assert "choices" not in str(t) and "votes" not in t

    # After closes_at, the first reader files the ballots (the scheduler may not have come yet).
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        r = client.get(results, headers=auth(voters[0]))
    assert r.status_code == 200, r.json
    res = r.json
    assert res["ballots"] == 7 == res["voters"] and len(res["receipts"]) == 7
    assert res["receipts"] == sorted(res["receipts"])
    assert sorted(hashlib.sha256(x.encode()).hexdigest() for x in receipts) == res["receipts"]
    assert {c["id"]: c["votes"] for c in res["candidates"]} == {a: 7, b: 4, c: 0}
    assert res["paper"] is None and res["total"]["ballots"] == 7
    assert db.session.scalar(select(func.count()).select_from(VoteHeldBallot)) == 0
    assert db.session.scalar(select(func.count()).select_from(VoteVoter)) == 7
    assert client.get(results, headers=staff_h).status_code == 200
    assert client.get(results, headers=auth(make.member())).status_code == 200  # the audience is everyone
    notices = db.session.scalars(select(Notice.title).where(Notice.source == "vote")).all()
    assert any(t.startswith("投票结果") for t in notices)


def test_early_close_and_the_scheduler_job(app, client, open_vote, make, auth, staff, db):
    from server.votes import services

    _, staff_h = staff
    vote = open_vote()
    client.post(f"{API}/votes/{vote['id']}/ballots", json={"choices": [_ids(vote)[1]]}, headers=auth(make.member()))
    assert services.due_votes() == []
    r = client.post(f"{API}/votes/{vote['id']}/close", headers=staff_h)
    assert r.status_code == 200 and r.json["status"] == "closed" and r.json["results_available"]
    again = client.post(f"{API}/votes/{vote['id']}/close", headers=staff_h)
    assert again.status_code == 200
    res = client.get(f"{API}/votes/{vote['id']}/results", headers=staff_h).json
    assert res["ballots"] == 1 and res["closed_at"] is not None
    draft = client.post(f"{API}/votes", json=vote_body(), headers=staff_h).json
    r = client.post(f"{API}/votes/{draft['id']}/close", headers=staff_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"
    # The job closes what is due, and only that.
    due = open_vote(closes_at=(utcnow() + timedelta(minutes=1)).isoformat())
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        assert services.due_votes() == [due["id"]]
        services.close_vote(due["id"])
        assert services.due_votes() == []


def test_paper_counts_need_two_staff_members(client, open_vote, make, auth, staff):
    _, a_h = staff
    b_h = auth(make.staff(name="工会干事乙"))
    vote = open_vote()
    x, y, z = _ids(vote)
    body = {"ballots": 10, "counts": {str(x): 7, str(y): 5, str(z): 1}}
    url = f"{API}/votes/{vote['id']}/paper-counts"
    r = client.post(url, json=body, headers=a_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "vote_not_closed"
    client.post(f"{API}/votes/{vote['id']}/ballots", json={"choices": [x]}, headers=auth(make.member()))
    client.post(f"{API}/votes/{vote['id']}/close", headers=a_h)
    r = client.post(f"{API}/votes/{vote['id']}/paper-counts/confirm", json=body, headers=b_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "paper_counts_missing"
    for bad in ({"ballots": 10, "counts": {"999999": 1}}, {"ballots": 1, "counts": {str(x): 2}},
                {"ballots": 2, "counts": {str(x): 2, str(y): 2, str(z): 1}}, {"ballots": -1, "counts": {}}):
        r = client.post(url, json=bad, headers=a_h)
        assert r.status_code == 400, bad
    r = client.post(url, json=body, headers=a_h)
    assert r.status_code == 201 and r.json["status"] == "pending" and r.json["entered_by"] == ["工会干事甲"]
    state = client.get(url, headers=b_h).json["paper"]
    assert state["status"] == "pending" and state["ballots"] is None and state["candidates"] is None  # blind
    r = client.post(url, json=body, headers=b_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "paper_counts_pending"
    r = client.post(f"{url}/confirm", json=body, headers=a_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "paper_same_person"
    # A mismatch discards the first entry: both enter again.
    r = client.post(f"{url}/confirm", json={**body, "ballots": 11}, headers=b_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "paper_counts_mismatch"
    assert client.get(url, headers=a_h).json["paper"] is None
    assert client.get(f"{API}/votes/{vote['id']}/results", headers=a_h).json["paper"] is None
    assert client.post(url, json=body, headers=b_h).status_code == 201  # now B enters, A confirms
    r = client.post(f"{url}/confirm", json=body, headers=a_h)
    assert r.status_code == 201, r.json
    assert r.json["status"] == "confirmed" and r.json["entered_by"] == ["工会干事乙", "工会干事甲"]
    assert r.json["confirmed_at"] is not None
    r = client.post(url, json=body, headers=a_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "paper_counts_recorded"
    res = client.get(f"{API}/votes/{vote['id']}/results", headers=a_h).json
    assert res["ballots"] == 1 and res["paper"]["ballots"] == 10
    assert {c["id"]: c["votes"] for c in res["candidates"]} == {x: 1, y: 0, z: 0}
    assert {c["id"]: c["votes"] for c in res["paper"]["candidates"]} == {x: 7, y: 5, z: 1}
    assert res["total"]["ballots"] == 11 and {c["id"]: c["votes"] for c in res["total"]["candidates"]} == \
        {x: 8, y: 5, z: 1}


def test_staff_list_and_members_list(client, open_vote, staff, make, auth):
    _, staff_h = staff
    v1 = open_vote()
    draft = client.post(f"{API}/votes", json=vote_body(title="草稿"), headers=staff_h).json
    page = client.get(f"{API}/votes?per_page=10", headers=staff_h).json
    assert {v["id"] for v in page["items"]} >= {v1["id"], draft["id"]}
    only = client.get(f"{API}/votes?status=draft", headers=staff_h).json
    assert {v["status"] for v in only["items"]} == {"draft"}
    assert client.get(f"{API}/votes?status=nope", headers=staff_h).status_code == 400
    member_h = auth(make.member())
    assert client.get(f"{API}/votes", headers=member_h).status_code == 403
    items = client.get(f"{API}/me/votes", headers=member_h).json["items"]
    assert draft["id"] not in [v["id"] for v in items] and v1["id"] in [v["id"] for v in items]
    assert client.get(f"{API}/votes/{draft['id']}", headers=member_h).status_code == 404


def test_a_member_who_left_the_roster_cannot_vote(client, open_vote, make, auth, db):
    vote = open_vote()
    member = make.member()
    h = auth(member)
    member.is_active = False
    db.session.flush()
    for vote_id in (vote["id"], 999999):
        r = client.post(f"{API}/votes/{vote_id}/ballots", json={"choices": [_ids(vote)[0]]}, headers=h)
        assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"
    assert db.session.scalar(select(func.count()).select_from(VoteVoter)) == 0
