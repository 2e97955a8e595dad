"""Calendars, audiences and slots through the HTTP API: listing, generating, overlaps, moving, cancelling."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.core.timeutil import SHANGHAI, utcnow
from server.notices.models import Delivery, Notice, NoticeRecipient

API = "/api/v1"


def future_day(days=10):
    return (utcnow() + timedelta(days=days)).astimezone(SHANGHAI).date()


def at(day, hhmm):
    """An aware Asia/Shanghai time on that day, as ISO text."""
    from datetime import datetime, time

    h, m = map(int, hhmm.split(":"))
    return datetime.combine(day, time(h, m), SHANGHAI).isoformat()


def new_calendar(client, h, **kw):
    body = {"kind": "health_check", "title": "年度体检", "location": "职工医院体检中心", **kw}
    r = client.post(f"{API}/calendars", json=body, headers=h)
    assert r.status_code == 201, r.json
    return r.json


def recipients(db, notice_id):
    return set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice_id)))


def test_staff_creates_calendar_and_members_see_only_calendars_open_to_them(client, make, auth):
    staff = make.staff()
    over40, young = make.member(tags=["40岁以上"]), make.member(department="生产一部")
    make.tag("40岁以上")
    h = auth(staff)
    check = new_calendar(client, h, audience={"tags": ["40岁以上"]}, cancel_cutoff_hours=48)
    assert check["audience"] == {"departments": [], "grids": [], "tags": ["40岁以上"]}
    assert (check["cancel_cutoff_hours"], check["max_active_per_member"]) == (48, 1)
    clinic = new_calendar(client, h, kind="legal_clinic", title="法律门诊", location="工会202", host="李律师")

    seen = client.get(f"{API}/calendars", headers=auth(over40)).json
    assert {c["id"] for c in seen["items"]} == {check["id"], clinic["id"]} and seen["total"] == 2
    seen = client.get(f"{API}/calendars", headers=auth(young)).json
    assert [c["id"] for c in seen["items"]] == [clinic["id"]]
    assert client.get(f"{API}/calendars?kind=legal_clinic", headers=h).json["total"] == 1
    assert client.get(f"{API}/calendars", headers=h).json["total"] == 2  # staff see every calendar
    # a calendar not open to the member is not there at all for them
    assert client.get(f"{API}/calendars/{check['id']}", headers=auth(young)).status_code == 404
    assert client.get(f"{API}/calendars/{check['id']}/slots", headers=auth(young)).json["error"]["code"] == "not_found"


def test_audience_kinds_all_must_match(client, make, auth):
    h = auth(make.staff())
    make.department("机修车间")
    make.tag("40岁以上")
    cal = new_calendar(client, h, audience={"departments": ["机修车间"], "tags": ["40岁以上"]})
    both = make.member(department="机修车间", tags=["40岁以上"])
    only_dept = make.member(department="机修车间")
    assert client.get(f"{API}/calendars/{cal['id']}", headers=auth(both)).status_code == 200
    assert client.get(f"{API}/calendars/{cal['id']}", headers=auth(only_dept)).status_code == 404


def test_bad_calendar_input_names_the_field(client, make, auth):
    h = auth(make.staff())
    for body, field in [({"kind": "dentist", "title": "x", "location": "y"}, "kind"),
                        ({"kind": "health_check", "title": "", "location": "y"}, "title"),
                        ({"kind": "health_check", "title": "x", "location": "y", "max_active_per_member": 0},
                         "max_active_per_member"),
                        ({"kind": "health_check", "title": "x", "location": "y", "audience": {"tags": ["无此标签"]}},
                         "audience.tags")]:
        r = client.post(f"{API}/calendars", json=body, headers=h)
        assert r.status_code == 400 and field in r.json["error"]["details"]["fields"], (field, r.json)
    assert client.post(f"{API}/calendars", json={"kind": "health_check", "title": "x", "location": "y"},
                       headers=auth(make.member())).status_code == 403


def test_generate_drops_the_partial_last_slot_and_says_so(client, make, auth):
    h = auth(make.staff())
    cal = new_calendar(client, h)
    day = future_day()
    r = client.post(f"{API}/calendars/{cal['id']}/slots", headers=h, json={
        "generate": {"date": day.isoformat(), "start": "09:00", "end": "11:30", "slot_minutes": 20, "capacity": 2}})
    assert r.status_code == 201, r.json
    items = r.json["items"]
    assert [s["starts_at"] for s in items] == [at(day, t) for t in
                                                ("09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00")]
    assert items[-1]["ends_at"] == at(day, "11:20")
    assert all(s["capacity"] == 2 and s["seats_left"] == 2 and s["booked"] == 0 and s["published"] for s in items)
    assert r.json["dropped"] == {"starts_at": at(day, "11:20"), "ends_at": at(day, "11:30")}
    assert "11:20—11:30" in r.json["message"] and "舍去" in r.json["message"]

    even = client.post(f"{API}/calendars/{cal['id']}/slots", headers=h, json={
        "generate": {"date": day.isoformat(), "start": "14:00", "end": "15:00", "slot_minutes": 30, "capacity": 1}})
    assert even.status_code == 201 and len(even.json["items"]) == 2
    assert even.json["dropped"] is None and even.json["message"] is None


def test_overlapping_slots_are_refused_naming_them(client, make, auth):
    h = auth(make.staff())
    cal = new_calendar(client, h)
    day = future_day()
    url = f"{API}/calendars/{cal['id']}/slots"
    # within one request
    r = client.post(url, headers=h, json={"slots": [
        {"starts_at": at(day, "09:00"), "ends_at": at(day, "09:30"), "capacity": 1},
        {"starts_at": at(day, "09:15"), "ends_at": at(day, "09:45"), "capacity": 1}]})
    assert r.status_code == 409 and r.json["error"]["code"] == "slot_overlap"
    (clash,) = r.json["error"]["details"]["overlaps"]
    assert clash["slot"]["starts_at"] == at(day, "09:15") and clash["overlaps"]["starts_at"] == at(day, "09:00")
    assert clash["within_request"] is True and "09:15—09:45" in r.json["error"]["message"]

    # against a slot already there; touching ends are fine
    first = client.post(url, headers=h, json={"slots": [
        {"starts_at": at(day, "09:00"), "ends_at": at(day, "09:30"), "capacity": 1},
        {"starts_at": at(day, "09:30"), "ends_at": at(day, "10:00"), "capacity": 1}]})
    assert first.status_code == 201
    r = client.post(url, headers=h, json={
        "generate": {"date": day.isoformat(), "start": "09:45", "end": "10:45", "slot_minutes": 30, "capacity": 1}})
    assert r.status_code == 409 and r.json["error"]["code"] == "slot_overlap"
    (clash,) = r.json["error"]["details"]["overlaps"]
    assert clash["overlaps"]["id"] == first.json["items"][1]["id"] and clash["within_request"] is False
    assert len(client.get(url, headers=h).json["items"]) == 2  # nothing of the refused request was kept

    # another calendar may use the same hours
    other = new_calendar(client, h, kind="legal_clinic", title="法律门诊")
    assert client.post(f"{API}/calendars/{other['id']}/slots", headers=h, json={"slots": [
        {"starts_at": at(day, "09:00"), "ends_at": at(day, "09:30"), "capacity": 1}]}).status_code == 201


def test_bad_slot_input_is_400_naming_the_field(client, make, auth):
    h = auth(make.staff())
    cal = new_calendar(client, h)
    day = future_day()
    url = f"{API}/calendars/{cal['id']}/slots"

    def slot(**kw):
        return {"slots": [{"starts_at": at(day, "09:00"), "ends_at": at(day, "09:30"), "capacity": 1, **kw}]}

    yesterday = (utcnow() - timedelta(days=1)).astimezone(SHANGHAI).date()
    cases = [
        (slot(ends_at=at(day, "08:30")), "slots.0.ends_at"),
        (slot(ends_at=at(day, "09:00")), "slots.0.ends_at"),
        (slot(capacity=0), "slots.0.capacity"),
        (slot(capacity=-1), "slots.0.capacity"),
        (slot(starts_at=f"{day.isoformat()}T09:00:00"), "slots.0.starts_at"),  # no offset
        (slot(starts_at=at(yesterday, "09:00"), ends_at=at(yesterday, "09:30")), "slots.0.starts_at"),
        ({"slots": []}, "slots"),
        ({}, "slots"),
        ({"generate": {"date": day.isoformat(), "start": "11:00", "end": "09:00", "slot_minutes": 30, "capacity": 1}},
         "generate.end"),
        ({"generate": {"date": day.isoformat(), "start": "09:00", "end": "09:20", "slot_minutes": 30, "capacity": 1}},
         "generate.slot_minutes"),
        ({"generate": {"date": day.isoformat(), "start": "09:00", "end": "10:00", "slot_minutes": 30, "capacity": 0}},
         "generate.capacity"),
        ({"generate": {"date": "12月15日", "start": "09:00", "end": "10:00", "slot_minutes": 30, "capacity": 1}},
         "generate.date"),
        ({**slot(), "publish_at": "2026-12-01T09:00:00"}, "publish_at"),
    ]
    for body, field in cases:
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 400, (field, r.json)
        assert r.json["error"]["code"] == "invalid_request"
        assert field in r.json["error"]["details"]["fields"], (field, r.json)
    assert client.get(url, headers=h).json["total"] == 0


def test_members_see_published_slots_only_and_available_filter(client, make, auth, db):
    staff, member = make.staff(), make.member()
    cal = make.calendar(kind="legal_clinic")
    later = make.slot(cal, publish_at=utcnow() + timedelta(days=2))
    now_open = make.slot(cal)
    full = make.slot(cal, capacity=1)
    from server.bookings import booking

    booking.book_slot(make.member().id, full.id)
    url = f"{API}/calendars/{cal.id}/slots"
    mine = client.get(url, headers=auth(member)).json
    assert [s["id"] for s in mine["items"]] == [now_open.id, full.id]
    assert "publish_at" not in mine["items"][0]
    assert [s["id"] for s in client.get(f"{url}?available=1", headers=auth(member)).json["items"]] == [now_open.id]
    theirs = client.get(url, headers=auth(staff)).json["items"]
    assert {s["id"]: s["published"] for s in theirs} == {later.id: False, now_open.id: True, full.id: True}
    assert [s for s in theirs if s["id"] == later.id][0]["publish_at"] is not None
    # from/to select by start time
    start = now_open.starts_at
    window = client.get(url, headers=auth(member), query_string={
        "from": start.isoformat(), "to": (start + timedelta(minutes=1)).isoformat()}).json
    assert [s["id"] for s in window["items"]] == [now_open.id]


def test_moving_a_slot_tells_the_booked_members(client, make, auth, db):
    from server.bookings import booking

    h = auth(make.staff())
    cal = make.calendar(kind="legal_clinic", title="法律门诊")
    slot = make.slot(cal, capacity=3)
    other = make.slot(cal)
    booked = [make.member(), make.member()]
    for m in booked:
        booking.book_slot(m.id, slot.id)
    new_start = slot.starts_at + timedelta(days=1)
    r = client.patch(f"{API}/slots/{slot.id}", headers=h, json={
        "starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(minutes=30)).isoformat(),
        "location": "工会一楼调解室"})
    assert r.status_code == 200, r.json
    assert r.json["location"] == "工会一楼调解室" and r.json["booked"] == 2

    notice = db.session.scalars(select(Notice).where(Notice.title.like("预约变更%"))).one()
    assert recipients(db, notice.id) == {m.id for m in booked}
    assert "工会一楼调解室" in notice.body and "法律门诊" in notice.title and notice.channels == ["push"]
    deliveries = db.session.scalars(select(Delivery).where(Delivery.notice_id == notice.id)).all()
    # no push consent in tests: the push is skipped and the SMS fallback queued, for each member
    assert {(d.member_id, d.channel, d.status) for d in deliveries} >= {(m.id, "sms", "queued") for m in booked}

    # moving onto another slot, or below the number booked, is refused
    r = client.patch(f"{API}/slots/{slot.id}", headers=h, json={
        "starts_at": other.starts_at.isoformat(), "ends_at": other.ends_at.isoformat()})
    assert r.status_code == 409 and r.json["error"]["code"] == "slot_overlap"
    r = client.patch(f"{API}/slots/{slot.id}", headers=h, json={"capacity": 1})
    assert r.status_code == 409 and r.json["error"]["code"] == "capacity_below_booked"
    r = client.patch(f"{API}/slots/{slot.id}", headers=h, json={"ends_at": slot.starts_at.isoformat()})
    assert r.status_code == 400 and "ends_at" in r.json["error"]["details"]["fields"]
    assert client.patch(f"{API}/slots/{slot.id}", headers=h, json={"capacity": 0}).status_code == 400
    yesterday = utcnow() - timedelta(days=1)
    r = client.patch(f"{API}/slots/{slot.id}", headers=h, json={
        "starts_at": yesterday.isoformat(), "ends_at": (yesterday + timedelta(minutes=30)).isoformat()})
    assert r.status_code == 400 and "starts_at" in r.json["error"]["details"]["fields"]
    # a change that members do not notice sends nothing
    before = db.session.scalar(select(Notice.id).order_by(Notice.id.desc()).limit(1))
    assert client.patch(f"{API}/slots/{slot.id}", headers=h, json={"capacity": 5}).json["seats_left"] == 3
    assert db.session.scalar(select(Notice.id).order_by(Notice.id.desc()).limit(1)) == before


def test_cancelling_a_slot_cancels_its_bookings_and_tells_members(client, make, auth, db):
    from server.bookings import booking

    h = auth(make.staff())
    cal = make.calendar()
    slot = make.slot(cal, capacity=2)
    a, b = make.member(), make.member()
    for m in (a, b):
        booking.book_slot(m.id, slot.id)
    r = client.post(f"{API}/slots/{slot.id}/cancel", headers=h)
    assert r.status_code == 200 and r.json["status"] == "cancelled" and r.json["seats_left"] == 0
    for m in (a, b):
        (mine,) = client.get(f"{API}/me/bookings", headers=auth(m)).json["items"]
        assert mine["status"] == "cancelled" and mine["slot"]["status"] == "cancelled"
    notice = db.session.scalars(select(Notice).where(Notice.title.like("预约取消%"))).one()
    assert recipients(db, notice.id) == {a.id, b.id} and "因故取消" in notice.body
    # twice is harmless; a cancelled slot is neither bookable nor movable, and members no longer see it
    assert client.post(f"{API}/slots/{slot.id}/cancel", headers=h).status_code == 200
    latest = select(Notice.id).where(Notice.title.like("预约取消%")).order_by(Notice.id.desc())
    assert db.session.scalar(latest) == notice.id
    r = client.post(f"{API}/slots/{slot.id}/bookings", headers=auth(make.member()))
    assert r.status_code == 409 and r.json["error"]["code"] == "slot_not_open"
    r = client.patch(f"{API}/slots/{slot.id}", headers=h, json={"capacity": 3})
    assert r.status_code == 409 and r.json["error"]["code"] == "slot_cancelled"
    assert client.get(f"{API}/calendars/{cal.id}/slots", headers=auth(a)).json["total"] == 0


def test_reception_day_slots_are_announced_only_when_staff_ask_at_publish_at(client, make, auth, db):
    secretary = make.member(roles=("member", "secretary"))
    members = [make.member() for _ in range(3)]
    h = auth(secretary)
    cal = new_calendar(client, h, kind="reception_day", title="12月书记接待日", location="行政楼301", host="王书记")
    day = future_day(20)
    publish_at = utcnow() + timedelta(days=5)
    r = client.post(f"{API}/calendars/{cal['id']}/slots", headers=h, json={
        "generate": {"date": day.isoformat(), "start": "14:00", "end": "16:00", "slot_minutes": 30, "capacity": 1},
        "publish_at": publish_at.isoformat()})
    assert r.status_code == 201 and len(r.json["items"]) == 4
    assert all(s["published"] is False for s in r.json["items"])
    # generating announced nothing: the secretary is asked first
    assert db.session.scalar(select(Notice.id)) is None
    preview = client.get(f"{API}/calendars/{cal['id']}/announcement", headers=h)
    assert preview.status_code == 200, preview.json
    assert preview.json["recipients"] == 4  # every member, the secretary too
    assert preview.json["by_channel"] == {"push": 0, "sms": 4, "none": 0}  # no WeChat consent: SMS instead
    assert db.session.scalar(select(Notice.id)) is None  # a preview writes nothing

    r = client.post(f"{API}/calendars/{cal['id']}/announcement", headers=h,
                    json={"slot_ids": [s["id"] for s in r.json["items"]]})
    assert r.status_code == 201, r.json
    notice = db.session.get(Notice, r.json["notice_id"])
    assert r.json["status"] == "scheduled" and r.json["send_at"] is not None
    assert notice.title == f"书记接待日开放预约：{day.month}月{day.day}日 下午 行政楼301" == r.json["title"]
    assert notice.status == "scheduled" and notice.send_at == publish_at
    assert "14:00—16:00" in notice.body and "王书记" in notice.body and "4 个时段" in notice.body
    assert notice.channels == ["push"] and notice.sms_fallback and notice.audience == {"all": True}

    # members cannot see or book the slots until publish_at; then the notice is sent to every member
    assert client.get(f"{API}/calendars/{cal['id']}/slots", headers=auth(members[0])).json["total"] == 0
    import time_machine

    from server.notices import services as notices

    with time_machine.travel(publish_at + timedelta(seconds=1)):
        assert notices.send_due_notices() == [notice.id]
        assert recipients(db, notice.id) >= {m.id for m in members} | {secretary.id}
        assert client.get(f"{API}/calendars/{cal['id']}/slots", headers=auth(members[0])).json["total"] == 4


def test_announcement_now_later_or_refused(client, make, auth, db):
    from server.members.models import WechatUser
    from server.notices.models import SubscriptionQuota

    h = auth(make.staff(department="工会办公室"))
    pushed, texted, unreachable = (make.member(department="机修车间", phone="13900000001"),
                                   make.member(department="机修车间", phone="13900000002"),
                                   make.member(department="机修车间"))
    unreachable.phone = None
    db.session.add(WechatUser(openid="o-announce", member_id=pushed.id))
    db.session.add(SubscriptionQuota(member_id=pushed.id, template_id=client.application.config[
        "WECHAT_NOTICE_TEMPLATE_ID"], remaining=1))
    db.session.flush()
    cal = make.calendar(kind="reception_day", audience={"departments": ["机修车间"]})
    slot = make.slot(cal)
    assert db.session.scalar(select(Notice.id)) is None
    preview = client.get(f"{API}/calendars/{cal.id}/announcement", headers=h).json
    assert preview == {"recipients": 3, "by_channel": {"push": 1, "sms": 1, "none": 1}}

    # refusals: another calendar's slot, a time before the slots are public, unknown calendar, bad ids
    other = make.slot(make.calendar(kind="reception_day"), starts_at=utcnow() + timedelta(days=9))
    r = client.post(f"{API}/calendars/{cal.id}/announcement", headers=h, json={"slot_ids": [slot.id, other.id]})
    assert r.status_code == 400 and "slot_ids" in r.json["error"]["details"]["fields"]
    late = make.slot(cal, starts_at=utcnow() + timedelta(days=12), publish_at=utcnow() + timedelta(days=3))
    r = client.post(f"{API}/calendars/{cal.id}/announcement", headers=h, json={
        "slot_ids": [late.id], "send_at": (utcnow() + timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "send_at" in r.json["error"]["details"]["fields"]
    r = client.post(f"{API}/calendars/999999/announcement", headers=h, json={"slot_ids": [slot.id]})
    assert r.status_code == 404
    for bad in ({"slot_ids": []}, {"slot_ids": ["1"]}, {"slot_ids": [0]}, {"slot_ids": [2**40]}, {}):
        r = client.post(f"{API}/calendars/{cal.id}/announcement", headers=h, json=bad)
        assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request", bad
    assert client.get(f"{API}/calendars/{cal.id}/announcement", headers=auth(pushed)).status_code == 403
    assert db.session.scalar(select(Notice.id)) is None

    # later: scheduled at the chosen time
    when = utcnow() + timedelta(days=4)
    r = client.post(f"{API}/calendars/{cal.id}/announcement", headers=h,
                    json={"slot_ids": [late.id], "send_at": when.isoformat()})
    assert r.status_code == 201 and r.json["status"] == "scheduled"
    assert db.session.get(Notice, r.json["notice_id"]).send_at == when
    # now: one push, one SMS instead, one skipped for want of a phone
    r = client.post(f"{API}/calendars/{cal.id}/announcement", headers=h, json={"slot_ids": [slot.id]})
    assert r.status_code == 201 and r.json["status"] == "sending" and r.json["send_at"] is None
    rows = db.session.execute(select(Delivery.member_id, Delivery.channel, Delivery.status)
                              .where(Delivery.notice_id == r.json["notice_id"])).all()
    assert {(m, c) for m, c, st in rows if st == "queued"} == {(pushed.id, "push"), (texted.id, "sms")}
    assert unreachable.id not in {m for m, _, st in rows if st == "queued"}

    # a calendar whose audience holds nobody: said so, nothing written
    make.department("无人部门")
    empty = make.calendar(kind="reception_day", audience={"departments": ["无人部门"]})
    lone = make.slot(empty)
    assert client.get(f"{API}/calendars/{empty.id}/announcement", headers=h).json["recipients"] == 0
    r = client.post(f"{API}/calendars/{empty.id}/announcement", headers=h, json={"slot_ids": [lone.id]})
    assert r.status_code == 400 and r.json["error"]["code"] == "empty_audience"


def test_reception_day_announcement_reaches_only_the_calendars_audience(make, db):
    from server.bookings.slots import announce_slots

    inside = make.member(department="机修车间", tags=["新员工"])
    outside = [make.member(department="生产一部", tags=["新员工"]), make.member(department="机修车间")]
    cal = make.calendar(kind="reception_day", audience={"departments": ["机修车间"], "tags": ["新员工"]})
    notice, _ = announce_slots(cal.id, [make.slot(cal).id], None)
    assert recipients(db, notice.id) == {inside.id}
    # the calendar's audience, not its members (planned in SQL like any notice)
    assert notice.audience["departments"] == ["机修车间"] and notice.audience["tags"] == ["新员工"]
    assert "member_ids" not in notice.audience and outside


def test_reception_day_announcement_for_a_thousand_members_stores_the_audience_not_their_ids(make, db):
    from sqlalchemy import insert

    from server.members.models import Member, MemberTag

    dept, tag, other = make.department("机修车间"), make.tag("新员工"), make.department("生产一部")
    rows = [{"employee_no": f"K{i:05d}", "name": f"职工{i}", "phone": f"137{i:08d}", "roles": ["member"],
             "department_id": dept.id if i % 4 else other.id} for i in range(1500)]
    db.session.execute(insert(Member), rows)
    ids = dict(db.session.execute(select(Member.employee_no, Member.id).where(Member.employee_no.like("K%"))).all())
    tagged = [ids[f"K{i:05d}"] for i in range(1500) if i % 6]  # five in six carry the tag
    db.session.execute(insert(MemberTag), [{"member_id": m, "tag_id": tag.id} for m in tagged])
    expected = {ids[f"K{i:05d}"] for i in range(1500) if i % 4 and i % 6}
    assert len(expected) == 1000
    cal = make.calendar(kind="reception_day", audience={"departments": ["机修车间"], "tags": ["新员工"]})
    from server.bookings.slots import announce_slots

    notice, _ = announce_slots(cal.id, [make.slot(cal).id], None)
    assert notice.audience == {"departments": ["机修车间"], "departments_ids": [dept.id], "tags": ["新员工"],
                               "tags_ids": [tag.id], "match": "every_kind"}
    assert recipients(db, notice.id) == expected


def test_generate_times_with_an_offset_are_refused_not_a_500(client, make, auth):
    # generate.start/end are times of day in Asia/Shanghai; "09:00+05:00" used to crash the validator.
    h = auth(make.staff())
    cal = make.calendar()
    day = (utcnow() + timedelta(days=5)).astimezone(SHANGHAI).date().isoformat()
    for start, end, field in [("09:00+05:00", "11:00", "generate.start"), ("09:00", "11:00Z", "generate.end")]:
        r = client.post(f"{API}/calendars/{cal.id}/slots", headers=h, json={
            "generate": {"date": day, "start": start, "end": end, "slot_minutes": 30, "capacity": 1}})
        assert r.status_code == 400, r.json
        assert r.json["error"]["code"] == "invalid_request"
        assert field in r.json["error"]["details"]["fields"], r.json


def test_month_overview_counts_slots_and_bookings_per_beijing_day_and_names_the_next_day(client, make, auth):
    from datetime import datetime, time

    from server.bookings.booking import book_slot

    h = auth(make.staff())
    cal = make.calendar()
    assert client.get(f"{API}/calendars/{cal.id}/days", headers=h).json["next_date"] is None
    # the first day a fortnight ahead, then one in a later month; 07:30 Beijing is the day before in UTC
    first = future_day(14)
    later = (first.replace(day=1) + timedelta(days=40)).replace(day=3)
    early = make.slot(cal, starts_at=datetime.combine(first, time(7, 30), SHANGHAI), capacity=2)
    make.slot(cal, starts_at=datetime.combine(first, time(9, 0), SHANGHAI), capacity=3)
    gone = make.slot(cal, starts_at=datetime.combine(first, time(10, 0), SHANGHAI))
    make.slot(cal, starts_at=datetime.combine(later, time(23, 30), SHANGHAI))
    client.post(f"{API}/slots/{gone.id}/cancel", headers=h)
    book_slot(make.member().id, early.id, None)

    r = client.get(f"{API}/calendars/{cal.id}/days", headers=h)
    assert r.status_code == 200, r.json
    assert r.json["month"] == f"{first:%Y-%m}" and r.json["next_date"] == first.isoformat()
    assert r.json["days"] == [{"date": first.isoformat(), "slots": 2, "capacity": 5, "booked": 1}]
    r = client.get(f"{API}/calendars/{cal.id}/days?month={later:%Y-%m}", headers=h).json
    assert r["next_date"] == first.isoformat()
    assert r["days"] == [{"date": later.isoformat(), "slots": 1, "capacity": 1, "booked": 0}]
    for bad in ("2026-13", "2026-1", "x", "0000-01", "9999-12"):
        r = client.get(f"{API}/calendars/{cal.id}/days?month={bad}", headers=h)
        assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request", bad
    assert client.get(f"{API}/calendars/999999/days", headers=h).status_code == 404
    assert client.get(f"{API}/calendars/{cal.id}/days", headers=auth(make.member())).status_code == 403
