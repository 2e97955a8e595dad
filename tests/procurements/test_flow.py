"""Procurement comparisons through their routes: a purchase, quotes with photos, the representatives'
confirmations, the decision's rules at and under the threshold, publication with the month, and the audit
trail of every step (both databases)."""
from __future__ import annotations

from datetime import datetime

import time_machine
from sqlalchemy import select

from server.audit_trail.models import AuditTrailEntry
from server.core.timeutil import SHANGHAI, utcnow
from server.fund.models import FundMonth
from server.notices.models import Notice
from server.uploads.attach import may_read
from server.uploads.models import Upload

API = "/api/v1"


def _uploads(db, owner, n=1):
    ups = [Upload(owner_id=owner.id, content_type="image/jpeg", size=1000, width=10, height=10,
                  storage_key=f"t/{owner.id}/{utcnow().timestamp()}-{i}") for i in range(n)]
    db.session.add_all(ups)
    db.session.flush()
    return [u.id for u in ups]


def _publish(db, month):
    db.session.add(FundMonth(month=month, hash="0" * 64))
    db.session.flush()


def _create(client, headers, reps, amount=3_000_000, **kw):
    body = {"title": "职工之家健身器材", "description": "跑步机两台", "category": "501",
            "amount_fen": amount, "representatives": [r.id for r in reps]}
    body.update(kw)
    return client.post(f"{API}/fund/procurements", json=body, headers=headers)


def _quote(client, headers, pid, supplier, amount, **kw):
    return client.post(f"{API}/fund/procurements/{pid}/quotes",
                       json={"supplier": supplier, "amount_fen": amount, **kw}, headers=headers)


def test_full_loop_over_the_threshold(client, make, auth, db):
    treasurer = make.member(roles=("member", "treasurer"), name="会计")
    staff = make.staff(name="干事")
    rep_a, rep_b = make.member(name="代表甲"), make.member(name="代表乙")
    outsider = make.member(name="会员丙")
    r = _create(client, auth(staff), [rep_a, rep_b])
    assert r.status_code == 201, r.json
    p = r.json
    assert (p["status"], p["quotes_required"], p["representatives_required"]) == ("open", 3, 2)
    assert {x["name"] for x in p["representatives"]} == {"代表甲", "代表乙"}
    notice = db.session.scalar(select(Notice).where(Notice.source == "fund"))
    assert notice.audience == {"member_ids": sorted([rep_a.id, rep_b.id])} and "职工之家健身器材" in notice.title

    photos = _uploads(db, staff, 2)
    r = _quote(client, auth(staff), p["id"], "甲供应商", 2_800_000, note="含安装", attachments=photos)
    assert r.status_code == 201, r.json
    cheap = next(q for q in r.json["quotes"] if q["supplier"] == "甲供应商")
    assert cheap["attachments"] == photos
    r = _quote(client, auth(staff), p["id"], "乙", 2_900_000, attachments=photos[:1])
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_attachment"
    decide = {"quote_id": cheap["id"], "reason": "价格最低且含安装"}
    r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json=decide, headers=auth(treasurer))
    assert r.status_code == 409 and r.json["error"]["code"] == "not_enough_quotes"
    assert r.json["error"]["details"] == {"required": 3, "quotes": 1}
    _quote(client, auth(treasurer), p["id"], "乙供应商", 2_950_000)
    _quote(client, auth(staff), p["id"], "丙供应商", 3_100_000)

    # Staff prepare, but the money decision is the treasurer's or an admin's.
    assert client.post(f"{API}/fund/procurements/{p['id']}/decide", json=decide,
                       headers=auth(staff)).status_code == 403
    r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json=decide, headers=auth(treasurer))
    assert r.status_code == 409 and r.json["error"]["code"] == "representatives_unconfirmed"
    assert sorted(r.json["error"]["details"]["unconfirmed"]) == ["代表乙", "代表甲"]

    # Representatives see theirs awaiting confirmation; others neither see nor confirm it.
    mine = client.get(f"{API}/fund/procurements/mine?status=open", headers=auth(rep_a)).json
    assert [i["id"] for i in mine["items"]] == [p["id"]] and mine["items"][0]["i_represent"] is True
    assert client.get(f"{API}/fund/procurements/{p['id']}", headers=auth(outsider)).status_code == 404
    r = client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(outsider))
    assert r.status_code == 403 and r.json["error"]["code"] == "not_a_representative"
    assert may_read(rep_a, db.session.get(Upload, photos[0])) and not may_read(outsider, db.session.get(Upload,
                                                                                                        photos[0]))
    r = client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(rep_a))
    assert r.status_code == 200 and r.json["i_confirmed"] is True
    r = client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(rep_a))
    assert r.status_code == 409 and r.json["error"]["code"] == "already_confirmed"
    r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json=decide, headers=auth(treasurer))
    assert r.json["error"]["details"]["unconfirmed"] == ["代表乙"]
    assert client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(rep_b)).status_code == 200

    r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json={"quote_id": 999999, "reason": "x"},
                    headers=auth(treasurer))
    assert r.status_code == 400 and "quote_id" in r.json["error"]["details"]["fields"]
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI)):  # 15:30 UTC: still November here
        r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json=decide, headers=auth(treasurer))
    assert r.status_code == 200, r.json
    done = r.json
    assert (done["status"], done["month"], done["chosen_quote_id"], done["reason"]) == \
        ("decided", "2026-11", cheap["id"], "价格最低且含安装")
    assert done["decided_by"]["name"] == "会计" and done["published"] is False
    assert [q["chosen"] for q in done["quotes"]] == [True, False, False]  # cheapest first
    r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json=decide, headers=auth(treasurer))
    assert r.status_code == 409 and r.json["error"]["code"] == "procurement_decided"
    assert _quote(client, auth(staff), p["id"], "丁", 100).json["error"]["code"] == "procurement_decided"

    # Published with its month: invisible to members until 2026-11 is published.
    assert client.get(f"{API}/fund/procurements?month=2026-11", headers=auth(outsider)).json["total"] == 0
    assert client.get(f"{API}/fund/procurements?month=2026-11", headers=auth(staff)).json["total"] == 1
    _publish(db, "2026-11")
    page = client.get(f"{API}/fund/procurements?month=2026-11", headers=auth(outsider)).json
    assert page["total"] == 1
    item = page["items"][0]
    assert item["published"] is True and item["reason"] == "价格最低且含安装" and len(item["quotes"]) == 3
    assert {x["name"] for x in item["representatives"]} == {"代表甲", "代表乙"}
    assert all(x["confirmed_at"] for x in item["representatives"])
    assert client.get(f"{API}/fund/procurements?month=2026-12", headers=auth(outsider)).json["total"] == 0
    assert client.get(f"{API}/fund/procurements/{p['id']}", headers=auth(outsider)).status_code == 200
    assert may_read(outsider, db.session.get(Upload, photos[0]))

    trail = db.session.execute(select(AuditTrailEntry.entity, AuditTrailEntry.action, AuditTrailEntry.actor_id)
                               .order_by(AuditTrailEntry.id)).all()
    assert [(e, a) for e, a, _ in trail] == [
        ("procurement", "create"), ("procurement_quote", "create"), ("procurement_quote", "create"),
        ("procurement_quote", "create"), ("procurement_confirmation", "confirm"),
        ("procurement_confirmation", "confirm"), ("procurement", "decide")]
    assert trail[-1][2] == treasurer.id and trail[4][2] == rep_a.id
    last = db.session.scalar(select(AuditTrailEntry).order_by(AuditTrailEntry.id.desc()).limit(1))
    assert last.before["status"] == "open" and last.after["status"] == "decided" and last.after["month"] == "2026-11"


def test_under_the_threshold_one_quote_and_no_representatives(client, make, auth):
    admin = make.member(roles=("member", "admin"))
    p = _create(client, auth(admin), [], amount=500_000).json
    assert (p["quotes_required"], p["representatives_required"]) == (1, 0)
    q = _quote(client, auth(admin), p["id"], "文具店", 480_000).json["quotes"][0]
    r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json={"quote_id": q["id"], "reason": "单一来源"},
                    headers=auth(admin))
    assert r.status_code == 200 and r.json["status"] == "decided"


def test_a_quote_over_the_threshold_needs_the_comparison_and_two_representatives(client, make, auth):
    admin, rep = make.member(roles=("member", "admin")), make.member()
    p = _create(client, auth(admin), [rep], amount=1_000_000).json  # estimated under 2万元
    ids = [_quote(client, auth(admin), p["id"], s, a).json for s, a in (("甲", 2_000_000), ("乙", 2_100_000),
                                                                       ("丙", 2_200_000))]
    chosen = ids[-1]["quotes"][0]["id"]
    client.post(f"{API}/fund/procurements/{p['id']}/confirm", headers=auth(rep))
    r = client.post(f"{API}/fund/procurements/{p['id']}/decide", json={"quote_id": chosen, "reason": "最低"},
                    headers=auth(admin))
    assert r.status_code == 409 and r.json["error"]["code"] == "not_enough_representatives"
    assert r.json["error"]["details"] == {"required": 2, "representatives": 1}


def test_bad_input_is_a_clear_400(client, make, auth):
    staff = make.staff()
    h = auth(staff)
    assert _create(client, h, [], amount=0).status_code == 400
    assert _create(client, h, [], amount=1.5).status_code == 400
    assert _create(client, h, [], category="会费").status_code == 400
    r = _create(client, h, [], representatives=[999999])
    assert r.status_code == 400 and "representatives" in r.json["error"]["details"]["fields"]
    assert client.get(f"{API}/fund/procurements?month=2026-13", headers=h).status_code == 400
    assert client.post(f"{API}/fund/procurements/999999/confirm", headers=h).status_code == 404
    assert client.get(f"{API}/fund/procurements/999999", headers=h).status_code == 404
