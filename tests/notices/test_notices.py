"""Notices through the API: audiences resolved once, one delivery row per recipient and channel."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from server.core.timeutil import utcnow
from server.events import signup
from server.members.models import WechatUser
from server.notices import services
from server.notices.models import Delivery, NoticeRecipient, SubscriptionQuota

API = "/api/v1"
TEMPLATE = "notice-template-dev"


def bind(db, member, openid=None):
    db.session.add(WechatUser(openid=openid or f"o-{member.employee_no}", member_id=member.id))
    db.session.flush()


def consent(client, auth, member, n=1, template=TEMPLATE):
    for _ in range(n):
        r = client.post(f"{API}/me/subscriptions", json={"results": {template: "accept"}}, headers=auth(member))
        assert r.status_code == 200
    return r.json["remaining"][template]


def create(client, h, **kw):
    body = {"title": "关于开展冬季送温暖活动的通知", "body": "各位会员：工会将于12月开展送温暖活动。",
            "channels": ["push", "sms"], "audience": {"all": True}}
    body.update(kw)
    return client.post(f"{API}/notices", json=body, headers=h)


def test_bad_notice_input(client, make, auth):
    h = auth(make.staff())
    cases = [
        ({"channels": []}, "channels"),
        ({"channels": ["fax"]}, "channels.0"),
        ({"audience": {}}, "audience"),
        ({"audience": {"departments": []}}, "audience"),
        ({"audience": {"all": False}}, "audience.all"),
        ({"audience": {"departments": ["无此部门"]}}, "audience.departments"),
        ({"audience": {"member_ids": [999999]}}, "audience.member_ids"),
        ({"audience": {"event_id": 999999}}, "audience.event_id"),
        ({"title": ""}, "title"),
        ({"send_at": "2026-12-01T09:00:00"}, "send_at"),
    ]
    for change, field in cases:
        r = create(client, h, **change)
        assert r.status_code == 400, (change, r.json)
        assert field in r.json["error"]["details"]["fields"], (change, r.json)


def test_audience_that_matches_nobody_is_refused_and_nothing_sent(client, make, auth, db):
    h = auth(make.staff())
    make.department("空部门")
    notice = create(client, h, audience={"departments": ["空部门"]}).json
    r = client.post(f"{API}/notices/{notice['id']}/send", headers=h)
    assert r.status_code == 400 and r.json["error"]["code"] == "empty_audience"
    assert client.get(f"{API}/notices/{notice['id']}", headers=h).json["status"] == "draft"
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_push_with_consent_sms_fallback_without(client, make, auth, db):
    staff = make.staff()
    with_consent, no_consent, unbound, no_phone = (make.member(), make.member(), make.member(),
                                                   make.member(phone=""))
    no_phone.phone = None
    for m in (with_consent, no_consent, no_phone):
        bind(db, m)
    assert consent(client, auth, with_consent, n=2) == 2
    notice = create(client, auth(staff), channels=["push"],
                    audience={"member_ids": [with_consent.id, no_consent.id, unbound.id, no_phone.id]}).json
    r = client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff))
    assert r.status_code == 202 and r.json["status"] == "sending"
    stats = r.json["stats"]
    assert stats["recipients"] == 4
    none_in_doubt = {"sending": 0, "unknown": 0, "duplicate": 0}
    assert stats["by_channel"]["push"] == {"queued": 1, "sent": 0, "failed": 0, "skipped": 3, **none_in_doubt}
    assert stats["by_channel"]["sms"] == {"queued": 2, "sent": 0, "failed": 0, "skipped": 1, **none_in_doubt}
    # the consent was reserved for this push
    assert consent(client, auth, with_consent, n=1) == 2
    skipped = client.get(f"{API}/notices/{notice['id']}/deliveries?channel=push&status=skipped",
                         headers=auth(staff)).json["items"]
    assert {d["member_id"] for d in skipped} == {no_consent.id, unbound.id, no_phone.id}
    assert all(d["last_error"].startswith("no consent") for d in skipped)
    sms = client.get(f"{API}/notices/{notice['id']}/deliveries?channel=sms", headers=auth(staff)).json["items"]
    assert {(d["member_id"], d["status"]) for d in sms} == {(no_consent.id, "queued"), (unbound.id, "queued"),
                                                            (no_phone.id, "skipped")}


def test_planning_brings_no_member_rows_back_to_python(client, make, auth, db):
    """Planning is set-based all through: no statement hands per-member rows to Python (a RETURNING or a
    look-up SELECT would grow with the audience: ~300 MB of consents' keys for a million members)."""
    staff = make.staff()
    members = [make.member() for _ in range(3)]
    for m in members:
        bind(db, m)
        consent(client, auth, m)
    notice = create(client, auth(staff)).json
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()).upper())

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        services.send_notice(notice["id"])
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert seen
    assert not [s for s in seen if "RETURNING" in s], seen
    assert not [s for s in seen if s.startswith("SELECT") and "FROM SUBSCRIPTION_QUOTAS" in s], seen
    remaining = db.session.scalars(select(SubscriptionQuota.remaining).where(
        SubscriptionQuota.member_id.in_([m.id for m in members]))).all()
    assert remaining == [0, 0, 0]  # each consent spent on its queued push


def test_sending_twice_plans_once(client, make, auth, db):
    staff = make.staff()
    for _ in range(3):
        make.member()
    notice = create(client, auth(staff), channels=["sms"]).json
    first = client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff)).json
    second = client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff))
    assert second.status_code == 202 and second.json["stats"] == first["stats"]
    n = db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.notice_id == notice["id"]))
    assert n == first["stats"]["recipients"] == 4


def test_audience_resolved_once_when_sent(client, make, auth, db):
    staff = make.staff()
    a = make.member(department="生产一部")
    notice = create(client, auth(staff), channels=["sms"], audience={"departments": ["生产一部"]}).json
    client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff))
    late = make.member(department="生产一部")
    client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff))
    got = set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice["id"])))
    assert got == {a.id}
    assert client.get(f"{API}/me/notices", headers=auth(late)).json["total"] == 0


def test_audience_kinds_are_a_union(client, make, auth, db):
    staff = make.staff()
    d = make.member(department="技术部")
    g = make.member(grid="第三网格")
    t = make.member(tags=["困难职工"])
    explicit = make.member()
    registrant = make.member()
    make.member()  # in none of them
    ev = make.event(capacity=0)  # waitlisted registrants count too
    signup.register(registrant.id, ev.id)
    notice = create(client, auth(staff), channels=["sms"], audience={
        "departments": ["技术部"], "grids": ["第三网格"], "tags": ["困难职工"], "member_ids": [explicit.id],
        "event_id": ev.id}).json
    client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff))
    got = set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice["id"])))
    assert got == {d.id, g.id, t.id, explicit.id, registrant.id}


def test_scheduled_notice_waits_for_send_at(client, make, auth, app, db):
    import time_machine

    staff = make.staff()
    make.member()
    at = utcnow() + timedelta(hours=2)
    notice = create(client, auth(staff), channels=["sms"], send_at=at.isoformat()).json
    r = client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff))
    assert r.json["status"] == "scheduled"
    assert services.send_due_notices() == []
    with time_machine.travel(at + timedelta(seconds=1)):
        assert services.send_due_notices() == [notice["id"]]
    assert client.get(f"{API}/notices/{notice['id']}", headers=auth(staff)).json["status"] == "sending"


def test_inbox_and_read(client, make, auth):
    staff, m = make.staff(), make.member()
    notice = create(client, auth(staff), channels=["poster"], audience={"member_ids": [m.id]}).json
    sent = client.post(f"{API}/notices/{notice['id']}/send", headers=auth(staff)).json
    assert sent["status"] == "sent"  # a poster-only notice has nothing to deliver
    inbox = client.get(f"{API}/me/notices", headers=auth(m)).json
    assert inbox["total"] == 1 and inbox["unread"] == 1 and inbox["items"][0]["read"] is False
    r = client.post(f"{API}/notices/{notice['id']}/read", headers=auth(m))
    assert r.status_code == 200 and r.json["read"] is True
    first_read = r.json["read_at"]
    assert client.post(f"{API}/notices/{notice['id']}/read", headers=auth(m)).json["read_at"] == first_read
    assert client.get(f"{API}/notices/{notice['id']}", headers=auth(staff)).json["stats"]["read"] == 1
    other = make.member()
    assert client.post(f"{API}/notices/{notice['id']}/read", headers=auth(other)).status_code == 404


def test_subscription_results(client, make, auth):
    m = make.member()
    r = client.post(f"{API}/me/subscriptions", json={"results": {"t1": "accept", "t2": "reject"}}, headers=auth(m))
    assert r.json["remaining"] == {"t1": 1}
    r = client.post(f"{API}/me/subscriptions", json={"results": {"t1": "ban"}}, headers=auth(m))
    assert r.json["remaining"] == {"t1": 0}
    r = client.post(f"{API}/me/subscriptions", json={"results": {"t1": "maybe"}}, headers=auth(m))
    assert r.status_code == 400


@pytest.mark.parametrize("path", ["/notices", "/notices/1/send", "/notices/1", "/notices/1/deliveries"])
def test_members_cannot_use_staff_notice_routes(client, make, auth, path):
    method = client.post if path.endswith(("notices", "send")) else client.get
    assert method(API + path, headers=auth(make.member()), json={}).status_code == 403


def test_promoted_member_is_told_at_once(client, make, auth, db):
    ev = make.event(capacity=1, title="篮球赛")
    first, waiting = make.member(), make.member()
    signup.register(first.id, ev.id)
    signup.register(waiting.id, ev.id)
    assert client.delete(f"{API}/events/{ev.id}/registrations/me", headers=auth(first)).status_code == 200
    inbox = client.get(f"{API}/me/notices", headers=auth(waiting)).json
    assert inbox["total"] == 1 and inbox["items"][0]["title"] == "候补成功：篮球赛"
    # no WeChat consent: the push is skipped and the SMS fallback is queued for the worker
    (notice_id,) = [i["id"] for i in inbox["items"]]
    kinds = set(db.session.execute(select(Delivery.channel, Delivery.status).where(Delivery.notice_id == notice_id)))
    assert kinds == {("push", "skipped"), ("sms", "queued")}
    assert client.get(f"{API}/me/notices", headers=auth(first)).json["total"] == 0


def test_cancelling_an_event_tells_everyone_registered(client, make, auth, db):
    ev = make.event(capacity=1, title="郊游")
    confirmed, waiting, bystander = make.member(), make.member(), make.member()
    signup.register(confirmed.id, ev.id)
    signup.register(waiting.id, ev.id)
    client.post(f"{API}/events/{ev.id}/cancel", headers=auth(make.staff()))
    for m in (confirmed, waiting):
        items = client.get(f"{API}/me/notices", headers=auth(m)).json["items"]
        assert [i["title"] for i in items] == ["活动取消：郊游"]
    assert client.get(f"{API}/me/notices", headers=auth(bystander)).json["total"] == 0
    # an event nobody signed up for is cancelled quietly
    quiet = make.event()
    before = db.session.scalar(select(func.count()).select_from(NoticeRecipient))
    client.post(f"{API}/events/{quiet.id}/cancel", headers=auth(make.staff()))
    assert db.session.scalar(select(func.count()).select_from(NoticeRecipient)) == before


def test_rate_limit_paces_a_channel():
    import time_machine

    from server.notices.ratelimit import RateLimiter

    with time_machine.travel(utcnow(), tick=False) as clock:
        limiter = RateLimiter(None, "test-channel", per_second=5)
        limiter.acquire(5)  # a full second's worth at once
        assert not limiter.limiter.test(limiter.item, "delivery", "test-channel")
        clock.shift(1.01)
        assert limiter.limiter.test(limiter.item, "delivery", "test-channel")


def test_out_of_range_ids_and_long_template_ids_are_400_not_500(client, make, auth):
    h = auth(make.staff())
    for change, field in [({"audience": {"member_ids": [10**20]}}, "audience.member_ids.0"),
                          ({"audience": {"event_id": 10**20}}, "audience.event_id")]:
        r = create(client, h, **change)
        assert r.status_code == 400, (change, r.json)
        assert field in r.json["error"]["details"]["fields"], (change, r.json)
    # A template id longer than any WeChat issues would overflow the column on PostgreSQL.
    r = client.post(f"{API}/me/subscriptions", json={"results": {"t" * 65: "accept"}}, headers=auth(make.member()))
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "invalid_request"


def test_a_notice_names_the_members_its_audience_picks(client, make, auth, db):
    """Staff read names, not ids: audience_members gives the first AUDIENCE_MEMBERS_SHOWN members of
    audience.member_ids (name, employee number, department) on create, detail and list, the list's for the
    whole page in one statement."""
    from server.notices.presenters import AUDIENCE_MEMBERS_SHOWN

    staff = make.staff()
    zhang = make.member(name="张三", employee_no="N0001", department="生产一部")
    li = make.member(name="李四", employee_no="N0002")
    crowd = [make.member() for _ in range(AUDIENCE_MEMBERS_SHOWN)]
    small = create(client, auth(staff), audience={"member_ids": [li.id, zhang.id]}).json
    assert small["audience_members"] == [
        {"id": zhang.id, "name": "张三", "employee_no": "N0001", "department": "生产一部"},
        {"id": li.id, "name": "李四", "employee_no": "N0002", "department": None}]
    big = create(client, auth(staff), audience={"member_ids": [zhang.id, li.id, *(m.id for m in crowd)]}).json
    everyone = create(client, auth(staff), audience={"all": True}).json
    assert everyone["audience_members"] == []

    detail = client.get(f"{API}/notices/{big['id']}", headers=auth(staff)).json
    assert len(detail["audience"]["member_ids"]) == AUDIENCE_MEMBERS_SHOWN + 2
    assert [m["id"] for m in detail["audience_members"]] == sorted(
        [zhang.id, li.id, *(m.id for m in crowd)])[:AUDIENCE_MEMBERS_SHOWN]
    listed = {n["id"]: n for n in client.get(f"{API}/notices", headers=auth(staff)).json["items"]}
    assert listed[small["id"]]["audience_members"] == small["audience_members"]
    assert listed[big["id"]]["audience_members"] == detail["audience_members"]
    assert listed[everyone["id"]]["audience_members"] == []
