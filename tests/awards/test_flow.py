"""Award procedures through their routes: criteria and nominees, the decision and its notice period on the
working-day calendar (across the National Day holiday), objections named and anonymous, the final list, the
scheduler's notice to the decider, and the audit trail (both databases)."""
from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from sqlalchemy import select

from server.audit_trail.models import AuditTrailEntry
from server.awards import jobs
from server.core.timeutil import SHANGHAI
from server.notices.models import Notice, NoticeRecipient

API = "/api/v1"
DECIDED = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # a Wednesday; 10-01..10-07 off, 10-10 a make-up day
# Five working days after 09-30: 10-08, 10-09, 10-10 (Saturday, worked), 10-12, 10-13 → closes 10-14 00:00.
CLOSES = datetime(2026, 10, 14, 0, 0, tzinfo=SHANGHAI)


def _award(client, h, **kw):
    body = {"title": "优秀工会积极分子", "year": 2026, "criteria": "热心工会工作，群众公认", "quota": 2}
    body.update(kw)
    return client.post(f"{API}/awards", json=body, headers=h)


def _nominate(client, h, award_id, member, reason="积极参与"):
    return client.post(f"{API}/awards/{award_id}/nominees", json={"member_id": member.id, "reason": reason},
                       headers=h)


def test_full_loop_with_notice_period_across_the_holiday(client, make, auth, db):
    staff = make.staff(name="干事")
    a, b, c = (make.member(name=n, department="机修车间") for n in ("甲", "乙", "丙"))
    member = make.member(name="会员")
    traveller = time_machine.travel(DECIDED)  # tokens are issued at the travelled time
    traveller.start()
    h = auth(staff)
    award = _award(client, h).json
    assert award["status"] == "draft" and award["objection_closes_at"] is None
    # A draft is staff-only.
    assert client.get(f"{API}/awards/{award['id']}", headers=auth(member)).status_code == 404
    assert client.get(f"{API}/awards", headers=auth(member)).json["total"] == 0
    nominees = {}
    for m in (a, b, c):
        r = _nominate(client, h, award["id"], m)
        assert r.status_code == 201
        nominees[m.name] = next(n["id"] for n in r.json["nominees"] if n["member"]["id"] == m.id)
    r = _nominate(client, h, award["id"], a)
    assert r.status_code == 409 and r.json["error"]["code"] == "already_nominated"
    r = client.post(f"{API}/awards/{award['id']}/decide", json={"winners": list(nominees.values())}, headers=h)
    assert r.status_code == 400 and r.json["error"]["code"] == "too_many_winners"
    r = client.post(f"{API}/awards/{award['id']}/finalize", json={}, headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"
    r = client.post(f"{API}/awards/{award['id']}/decide", json={"winners": [nominees["甲"], nominees["乙"]]},
                    headers=h)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "notice"
    assert datetime.fromisoformat(r.json["objection_closes_at"]) == CLOSES
    assert r.json["objection_closes_at"].endswith("+08:00")
    told = db.session.scalar(select(Notice).where(Notice.source == "award"))
    assert told.audience == {"all": True} and "优秀工会积极分子" in told.title
    assert member.id in set(db.session.scalars(select(NoticeRecipient.member_id)
                                               .where(NoticeRecipient.notice_id == told.id)))
    assert _nominate(client, h, award["id"], member).json["error"]["code"] == "award_not_draft"
    r = client.post(f"{API}/awards/{award['id']}/decide", json={"winners": [nominees["丙"]]}, headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "award_not_draft"
    traveller.stop()

    # Members see the winners only, in the notice period.
    with time_machine.travel(CLOSES - timedelta(minutes=1)):
        h = auth(staff)
        shown = client.get(f"{API}/awards/{award['id']}", headers=auth(member)).json
        assert shown["objections_open"] is True and shown["objections_count"] is None
        assert [n["member"]["name"] for n in shown["nominees"]] == ["甲", "乙"]
        assert all(n["removed_reason"] is None for n in shown["nominees"])
        r = client.post(f"{API}/awards/{award['id']}/objections",
                        json={"nominee_id": nominees["乙"], "body": "乙本年度有违纪记录"}, headers=auth(member))
        assert r.status_code == 201 and r.json["member"]["name"] == "会员" and r.json["nominee_name"] == "乙"
        r = client.post(f"{API}/awards/{award['id']}/objections",
                        json={"nominee_id": nominees["丙"], "body": "丙不在名单"}, headers=auth(member))
        assert r.status_code == 400  # only a winner on the notice list
        # The anonymous way: the suggestion box with the award category; held sealed, nothing names the member.
        r = client.post(f"{API}/suggestions", json={"category": "award", "content": "对甲的公示有异议"},
                        headers=auth(member))
        assert r.status_code == 201, r.json
        r = client.post(f"{API}/awards/{award['id']}/finalize", json={}, headers=h)
        assert r.status_code == 409 and r.json["error"]["code"] == "notice_period_open"
        assert jobs.run() == 0
    with time_machine.travel(CLOSES):
        h = auth(staff)
        r = client.post(f"{API}/awards/{award['id']}/objections", json={"body": "晚了"}, headers=auth(member))
        assert r.status_code == 409 and r.json["error"]["code"] == "objection_closed"
        # The scheduler tells the decider once.
        assert jobs.run() == 1 and jobs.run() == 0
    ended = db.session.execute(select(Notice.title, Notice.audience).where(Notice.source == "award")
                               .order_by(Notice.id.desc()).limit(1)).one()
    assert ended.title.startswith("公示期已满") and ended.audience == {"member_ids": [staff.id]}

    h = auth(staff)
    objections = client.get(f"{API}/awards/{award['id']}/objections", headers=h).json["items"]
    assert [(o["member"]["id"], o["nominee_id"]) for o in objections] == [(member.id, nominees["乙"])]
    assert client.get(f"{API}/awards/{award['id']}/objections", headers=auth(member)).status_code == 403
    with time_machine.travel(CLOSES + timedelta(days=1)):
        h = auth(staff)
        r = client.post(f"{API}/awards/{award['id']}/finalize",
                        json={"removals": [{"nominee_id": nominees["丙"], "reason": "x"}]}, headers=h)
        assert r.status_code == 400
        r = client.post(f"{API}/awards/{award['id']}/finalize",
                        json={"removals": [{"nominee_id": nominees["乙"], "reason": "异议属实：本年度有违纪记录"}]},
                        headers=h)
        assert r.status_code == 200, r.json
        assert client.post(f"{API}/awards/{award['id']}/finalize", json={}, headers=h).status_code == 409
    final = r.json
    assert final["status"] == "final" and final["winners_count"] == 1
    staff_view = {n["member"]["name"]: (n["final"], n["removed_reason"]) for n in final["nominees"]}
    assert staff_view == {"甲": (True, None), "乙": (False, "异议属实：本年度有违纪记录"), "丙": (False, None)}
    members_view = client.get(f"{API}/awards/{award['id']}", headers=auth(member)).json
    assert [(n["member"]["name"], n["final"]) for n in members_view["nominees"]] == [("甲", True)]
    last = db.session.scalar(select(Notice).where(Notice.source == "award").order_by(Notice.id.desc()).limit(1))
    assert last.title.startswith("评优结果公布") and last.audience == {"all": True}
    listed = client.get(f"{API}/awards", headers=auth(member)).json
    assert [(i["id"], i["status"], i["winners_count"]) for i in listed["items"]] == [(award["id"], "final", 1)]

    trail = db.session.execute(select(AuditTrailEntry.entity, AuditTrailEntry.action)
                               .order_by(AuditTrailEntry.id)).all()
    assert [tuple(t) for t in trail] == [("award", "create"), ("award_nominee", "create"),
                                         ("award_nominee", "create"), ("award_nominee", "create"),
                                         ("award", "decide"), ("award_nominee", "remove"), ("award", "finalize")]
    fin = db.session.scalar(select(AuditTrailEntry).where(AuditTrailEntry.action == "finalize"))
    assert fin.after["final"] == [nominees["甲"]] and fin.after["removed"] == [nominees["乙"]]
    assert fin.before["status"] == "notice" and fin.actor_id == staff.id


def test_anonymous_objection_names_no_one(client, make, auth, db, app):
    """The award category goes through the box's sealed, batched filing: the filed row has no member."""
    from server.suggestions import services as box
    from server.suggestions.models import Suggestion

    member = make.member()
    r = client.post(f"{API}/suggestions", json={"category": "award", "content": "评选过程不透明"}, headers=auth(member))
    assert r.status_code == 201
    box.file_held(force=True)
    row = db.session.scalar(select(Suggestion).where(Suggestion.category == "award"))
    assert row.content == "评选过程不透明"
    assert not any("member" in c.name for c in Suggestion.__table__.columns)
    staff = make.staff()
    page = client.get(f"{API}/suggestions?category=award", headers=auth(staff)).json
    assert page["total"] == 1 and page["items"][0]["category_label"] == "评优异议"


def test_nominees_are_withdrawn_only_in_a_draft(client, make, auth):
    staff, m = make.staff(), make.member()
    h = auth(staff)
    award = _award(client, h, quota=1).json
    nominee = _nominate(client, h, award["id"], m).json["nominees"][0]["id"]
    r = client.delete(f"{API}/awards/{award['id']}/nominees/{nominee}", headers=h)
    assert r.status_code == 200 and r.json["nominees"] == []
    assert client.delete(f"{API}/awards/{award['id']}/nominees/{nominee}", headers=h).status_code == 404
    nominee = _nominate(client, h, award["id"], m).json["nominees"][0]["id"]
    assert client.post(f"{API}/awards/{award['id']}/decide", json={"winners": [999999]}, headers=h).status_code == 400
    assert client.post(f"{API}/awards/{award['id']}/decide", json={"winners": [nominee]}, headers=h).status_code == 200
    r = client.delete(f"{API}/awards/{award['id']}/nominees/{nominee}", headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "award_not_draft"
    assert _award(client, h, quota=0).status_code == 400
    assert client.get(f"{API}/awards/999999", headers=h).status_code == 404


def test_the_notice_job_is_registered_every_minute(app):
    from server import scheduler

    s = scheduler.build_scheduler(app)
    assert s.get_job("award_notices").trigger.interval == timedelta(seconds=60)
    assert s.get_job("award_notices").func_ref == "server.scheduler:run_award_notices"
