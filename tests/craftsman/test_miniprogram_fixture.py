"""The mini-program's craftsman fixtures are anchored to the server's answers: miniprogram/tests/fixtures/
craftsman.json holds real answers along a round (nominating with a photo, the committee's view and review, the
public shortlist, the vote, the winners), and the Jest suite builds its fixtures from that file; this test checks
the file's shapes (keys, recursively) and error codes against what the server answers now, and that every page
the craftsman notices open exists in the mini-program. MINIPROGRAM_FIXTURES=write rewrites the file."""
from __future__ import annotations

import io
import json
import os
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy import select

from server.core.timeutil import utcnow
from server.notices.models import Notice
from tests.uploads import pictures

from ..proposals.test_miniprogram_fixture import shape

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/craftsman.json"
APP_JSON = Path(__file__).resolve().parents[2] / "miniprogram/app.json"
HINT = "the server's craftsman shapes changed: refresh miniprogram/tests/fixtures/craftsman.json " \
       "(MINIPROGRAM_FIXTURES=write) and the mini-program's pages"


def _answers(client, make, auth, db) -> dict:
    staff = make.staff(name="工会干事")
    judges = [make.member(name=f"评委{i}") for i in (1, 2)]
    me = make.member(name="职工王芳", department="总装车间")
    nominees = [make.member(name=n, department="数控车间") for n in ("工匠张伟", "工匠李强", "工匠赵敏")]
    start = utcnow()
    at = lambda days: (start + timedelta(days=days)).isoformat()  # noqa: E731
    r = client.post(f"{API}/craftsman/rounds", headers=auth(staff), json={
        "year": 2026, "title": "2026年度工匠之星", "nomination_closes_at": at(1), "review_closes_at": at(2),
        "vote_opens_at": at(2), "vote_closes_at": at(3), "winners": 3, "committee": [j.id for j in judges]})
    assert r.status_code == 201, r.get_json()
    rid = r.get_json()["id"]
    h, hj = auth(me), auth(judges[0])
    out = {"rounds": client.get(f"{API}/craftsman/rounds", headers=h).get_json(),
           "round_committee": client.get(f"{API}/craftsman/rounds/{rid}", headers=hj).get_json()}
    out["candidates"] = client.get(f"{API}/craftsman/rounds/{rid}/nominee-candidates?q=工匠", headers=h).get_json()
    r = client.post(f"{API}/uploads", data={"file": (io.BytesIO(pictures.png("RGB")), "a.png", "image/png")},
                    content_type="multipart/form-data", headers=h)
    assert r.status_code == 201, r.get_json()
    out["upload"] = r.get_json()
    r = client.post(f"{API}/craftsman/rounds/{rid}/nominations", headers=h, json={
        "nominee_id": nominees[0].id, "reason": "三十年扎根数控一线", "evidence": "省级技能大赛一等奖",
        "photos": [out["upload"]["id"]]})
    assert r.status_code == 201, r.get_json()
    out["nominated"] = r.get_json()
    for m in nominees[1:]:
        r = client.post(f"{API}/craftsman/rounds/{rid}/nominations", headers=auth(m),
                        json={"nominee_id": m.id, "reason": "自荐：攻克多项工艺难题"})
        assert r.status_code == 201, r.get_json()
    out["self_nominated"] = r.get_json()
    out["already_nominated"] = client.post(f"{API}/craftsman/rounds/{rid}/nominations", headers=h,
                                           json={"nominee_id": nominees[0].id, "reason": "再推"}).get_json()
    out["nominations_forbidden"] = client.get(f"{API}/craftsman/rounds/{rid}/nominations", headers=h).get_json()
    ids = [n["id"] for n in client.get(f"{API}/craftsman/rounds/{rid}/nominations", headers=hj).get_json()["items"]]
    r = client.post(f"{API}/craftsman/nominations/{ids[0]}/review", json={"approve": True, "comment": "事迹突出"},
                    headers=hj)
    assert r.status_code == 201, r.get_json()
    out["reviewed"] = r.get_json()
    out["already_reviewed"] = client.post(f"{API}/craftsman/nominations/{ids[0]}/review", json={"approve": False},
                                          headers=hj).get_json()
    for i in ids[1:]:
        client.post(f"{API}/craftsman/nominations/{i}/review", json={"approve": True}, headers=hj)
    out["nominations_committee"] = client.get(f"{API}/craftsman/rounds/{rid}/nominations",
                                              headers=hj).get_json()

    with time_machine.travel(start + timedelta(days=2, minutes=1)):
        h, hs = auth(me), auth(staff)
        out["round_shortlisted"] = client.get(f"{API}/craftsman/rounds/{rid}", headers=h).get_json()
        out["shortlist"] = client.get(f"{API}/craftsman/rounds/{rid}/nominations", headers=h).get_json()
        r = client.post(f"{API}/craftsman/rounds/{rid}/open-vote", headers=hs)
        assert r.status_code == 200, r.get_json()
        out["round_voting"] = client.get(f"{API}/craftsman/rounds/{rid}", headers=h).get_json()
        vote = client.get(f"{API}/votes/{out['round_voting']['vote_id']}", headers=h).get_json()
        choices = [c["id"] for c in vote["candidates"]]
        r = client.post(f"{API}/votes/{vote['id']}/ballots", json={"choices": choices}, headers=h)
        assert r.status_code == 201, r.get_json()
    with time_machine.travel(start + timedelta(days=3, minutes=1)):
        h = auth(me)
        assert client.post(f"{API}/craftsman/rounds/{rid}/publish", headers=auth(staff)).status_code == 200
        out["round_published"] = client.get(f"{API}/craftsman/rounds/{rid}", headers=h).get_json()
        out["winners"] = client.get(f"{API}/craftsman/winners?year=2026", headers=h).get_json()
        out["winner"] = client.get(f"{API}/craftsman/winners/{out['winners']['items'][0]['id']}",
                                   headers=h).get_json()
    out["notice_pages"] = sorted(set(db.session.scalars(select(Notice.page).where(Notice.source == "craftsman"))))
    return out


def test_fixture_has_the_servers_shape(client, make, auth, db):
    real = _answers(client, make, auth, db)
    if os.environ.get("MINIPROGRAM_FIXTURES") == "write":
        FIXTURE.write_text(json.dumps(real, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert sorted(stored) == sorted(real), HINT
    for key, value in real.items():
        if key != "notice_pages":
            assert shape(value) == shape(stored[key]), f"{key}: {HINT}"
    for key, code in (("already_nominated", "already_nominated"), ("already_reviewed", "already_reviewed"),
                      ("nominations_forbidden", "forbidden")):
        assert real[key]["error"]["code"] == stored[key]["error"]["code"] == code
    # The stages the pages are tested on, and the two views of a nomination.
    assert [real[k]["stage"] for k in ("round_committee", "round_shortlisted", "round_voting", "round_published")] \
        == ["nominating", "shortlisted", "voting", "published"]
    assert real["round_committee"]["on_committee"] and not real["rounds"]["items"][0]["on_committee"]
    assert real["nominations_committee"]["items"][0]["approvals"] == 1
    assert real["shortlist"]["items"][0]["approvals"] is None
    assert real["winner"]["photos"][0]["id"] == real["upload"]["id"]
    # Every page a craftsman notice opens is a page of the mini-program.
    pages = json.loads(APP_JSON.read_text(encoding="utf-8"))["pages"]
    assert {p.split("?")[0] for p in real["notice_pages"]} == {"pages/craftsman/round", "pages/craftsman/winners"}
    assert all(p.split("?")[0] in pages for p in real["notice_pages"])
