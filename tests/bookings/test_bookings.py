"""Booking and cancelling through the HTTP API: open, full, limits, cut-off, topics, lists and exports."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from server.bookings.calendars import get_calendar
from server.core.timeutil import SHANGHAI, utcnow
from server.notices.models import Notice, NoticeRecipient

API = "/api/v1"


def book(client, h, slot_id, **body):
    return client.post(f"{API}/slots/{slot_id}/bookings", json=body or None, headers=h)


def test_member_books_a_slot_and_again_gets_the_same_booking(client, make, auth):
    member = make.member()
    cal = make.calendar(kind="legal_clinic", title="法律门诊", host="李律师")
    slot = make.slot(cal, capacity=2)
    r = book(client, auth(member), slot.id)
    assert r.status_code == 201, r.json
    b = r.json
    assert b["status"] == "booked" and b["topic"] is None
    assert b["slot"]["id"] == slot.id and b["slot"]["booked"] == 1 and b["slot"]["seats_left"] == 1
    assert "publish_at" not in b["slot"]
    assert b["calendar"]["title"] == "法律门诊" and b["calendar"]["host"] == "李律师"
    assert b["slot"]["starts_at"].endswith("+08:00")
    again = book(client, auth(member), slot.id)
    assert again.status_code == 200 and again.json["id"] == b["id"] and again.json["slot"]["booked"] == 1


def test_full_slot_is_refused(client, make, auth):
    slot = make.slot(capacity=1)
    assert book(client, auth(make.member()), slot.id).status_code == 201
    r = book(client, auth(make.member()), slot.id)
    assert r.status_code == 409 and r.json["error"] == {"code": "slot_full", "message": "该时段已约满", "details": {}}


def test_unpublished_and_past_slots_cannot_be_booked(client, make, auth):
    member = make.member()
    cal = make.calendar()
    publish_at = utcnow() + timedelta(days=1)
    hidden = make.slot(cal, publish_at=publish_at)
    r = book(client, auth(member), hidden.id)
    assert r.status_code == 409 and r.json["error"]["code"] == "slot_not_open"
    assert r.json["error"]["details"]["reason"] == "not_published"
    with time_machine.travel(publish_at + timedelta(seconds=1)):
        assert book(client, auth(member), hidden.id).status_code == 201  # a token of that day

    soon = make.slot(cal, starts_at=utcnow() + timedelta(days=3))
    with time_machine.travel(soon.starts_at + timedelta(minutes=1)):
        r = book(client, auth(make.member()), soon.id)
        assert r.status_code == 409 and r.json["error"]["code"] == "slot_not_open"
        assert r.json["error"]["details"]["reason"] == "started"
    assert book(client, auth(make.member()), 999999).json["error"]["code"] == "not_found"


def test_member_outside_the_audience_is_not_eligible(client, make, auth):
    over40 = make.member(tags=["40岁以上"])
    make.department("机修车间")
    cal = make.calendar(audience={"tags": ["40岁以上"]})
    slot = make.slot(cal, capacity=5)
    for outsider in (make.member(), make.member(tags=["新员工"], department="机修车间")):
        r = book(client, auth(outsider), slot.id)
        assert r.status_code == 403 and r.json["error"]["code"] == "not_eligible"
    assert book(client, auth(over40), slot.id).status_code == 201
    # every kind listed must match
    both = make.calendar(kind="legal_clinic", audience={"tags": ["40岁以上"], "departments": ["机修车间"]})
    slot = make.slot(both)
    assert book(client, auth(over40), slot.id).json["error"]["code"] == "not_eligible"
    assert book(client, auth(make.member(tags=["40岁以上"], department="机修车间")), slot.id).status_code == 201


def test_booking_limit_per_calendar_counts_upcoming_bookings(client, make, auth):
    member = make.member()
    h = auth(member)
    cal = make.calendar(max_active_per_member=2)
    first, second, third = make.slot(cal), make.slot(cal), make.slot(cal)
    assert book(client, h, first.id).status_code == 201
    assert book(client, h, second.id).status_code == 201
    r = book(client, h, third.id)
    assert r.status_code == 409 and r.json["error"]["code"] == "booking_limit"
    assert r.json["error"]["details"] == {"max_active_per_member": 2, "active": 2}
    # another calendar has its own limit
    assert book(client, h, make.slot(make.calendar(kind="legal_clinic")).id).status_code == 201
    # a cancelled booking no longer counts
    mine = client.get(f"{API}/me/bookings", headers=h).json["items"]
    first_booking = next(b for b in mine if b["slot"]["id"] == first.id)
    assert client.delete(f"{API}/bookings/{first_booking['id']}", headers=h).status_code == 200
    assert book(client, h, third.id).status_code == 201
    # nor does one whose time has passed
    early = make.slot(make.calendar(), starts_at=utcnow() + timedelta(days=2))
    later_cal = get_calendar(early.calendar_id)
    later = make.slot(later_cal, starts_at=utcnow() + timedelta(days=4))
    assert book(client, h, early.id).status_code == 201
    assert book(client, h, later.id).json["error"]["code"] == "booking_limit"
    with time_machine.travel(early.starts_at + timedelta(hours=1)):
        assert book(client, auth(member), later.id).status_code == 201


def test_member_cancels_before_the_cutoff_but_not_after(client, make, auth, db):
    member = make.member()
    h = auth(member)
    cal = make.calendar(cancel_cutoff_hours=24)
    slot = make.slot(cal, capacity=1, starts_at=utcnow() + timedelta(days=3))
    booking = book(client, h, slot.id).json
    cutoff = slot.starts_at - timedelta(hours=24)
    assert booking["cancel_until"] == cutoff.astimezone(SHANGHAI).isoformat()
    with time_machine.travel(cutoff + timedelta(minutes=1)):
        r = client.delete(f"{API}/bookings/{booking['id']}", headers=auth(member))
        assert r.status_code == 409 and r.json["error"]["code"] == "cancel_cutoff_passed"
        assert r.json["error"]["details"]["cancel_until"] == booking["cancel_until"]
    with time_machine.travel(cutoff - timedelta(minutes=1)):
        h = auth(member)
        assert client.delete(f"{API}/bookings/{booking['id']}", headers=h).json == {"status": "cancelled"}
        # the seat is free again
        assert book(client, auth(make.member()), slot.id).status_code == 201
        assert client.delete(f"{API}/bookings/{booking['id']}", headers=h).status_code == 200  # twice: harmless


def test_someone_elses_booking_cannot_be_cancelled_or_even_confirmed(client, make, auth):
    owner, other = make.member(), make.member()
    slot = make.slot(capacity=2)
    booking = book(client, auth(owner), slot.id).json
    r = client.delete(f"{API}/bookings/{booking['id']}", headers=auth(other))
    # the same answer as for an id that does not exist: the id reveals nothing
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert client.delete(f"{API}/bookings/999999", headers=auth(other)).json["error"] == r.json["error"]
    assert client.get(f"{API}/me/bookings", headers=auth(owner)).json["items"][0]["status"] == "booked"


def test_staff_cancel_on_a_members_behalf_even_after_the_cutoff(client, make, auth, db):
    member, staff = make.member(), make.staff()
    cal = make.calendar(title="年度体检", cancel_cutoff_hours=48)
    slot = make.slot(cal, starts_at=utcnow() + timedelta(days=3))
    booking = book(client, auth(member), slot.id).json
    with time_machine.travel(slot.starts_at - timedelta(hours=2)):
        r = client.delete(f"{API}/bookings/{booking['id']}", headers=auth(staff))  # a token of that day
        assert r.status_code == 200 and r.json == {"status": "cancelled"}
    notice = db.session.scalars(select(Notice).where(Notice.title == "预约已取消：年度体检")).one()
    assert set(db.session.scalars(select(NoticeRecipient.member_id).where(NoticeRecipient.notice_id == notice.id))) \
        == {member.id}
    rows = client.get(f"{API}/calendars/{cal.id}/bookings", headers=auth(staff)).json["items"]
    assert [(b["status"], b["cancelled_by_staff"]) for b in rows] == [("cancelled", True)]
    assert client.get(f"{API}/calendars/{cal.id}/slots", headers=auth(staff)).json["items"][0]["booked"] == 0


def test_topic_only_on_reception_day_and_only_for_the_member_and_staff(client, make, auth):
    member, neighbour = make.member(), make.member()
    secretary = make.member(roles=("member", "secretary"))
    day = make.calendar(kind="reception_day", title="12月书记接待日")
    slot = make.slot(day, capacity=2)
    topic = "夜班食堂供餐时间太短，希望延长"
    r = book(client, auth(member), slot.id, topic=topic)
    assert r.status_code == 201 and r.json["topic"] == topic
    assert client.get(f"{API}/me/bookings", headers=auth(member)).json["items"][0]["topic"] == topic

    # a member booked on the same slot sees their own booking and the slot, never the other's topic
    r = book(client, auth(neighbour), slot.id)
    assert topic not in r.get_data(as_text=True)
    for path in ("/me/bookings", f"/calendars/{day.id}/slots", f"/calendars/{day.id}", "/calendars"):
        assert topic not in client.get(API + path, headers=auth(neighbour)).get_data(as_text=True)
    assert client.get(f"{API}/calendars/{day.id}/bookings", headers=auth(neighbour)).status_code == 403

    for reader in (secretary, make.staff()):
        rows = client.get(f"{API}/calendars/{day.id}/bookings", headers=auth(reader)).json["items"]
        assert {b["member_id"]: b["topic"] for b in rows} == {member.id: topic, neighbour.id: None}

    # too long, or on a calendar without topics
    r = book(client, auth(make.member()), slot.id, topic="长" * 501)
    assert r.status_code == 400 and "topic" in r.json["error"]["details"]["fields"]
    r = book(client, auth(make.member()), make.slot(make.calendar(kind="legal_clinic")).id, topic="咨询劳动合同")
    assert r.status_code == 400 and "topic" in r.json["error"]["details"]["fields"]


def test_my_bookings_upcoming_first_with_slot_and_calendar(client, make, auth):
    member = make.member()
    h = auth(member)
    cal = make.calendar(kind="legal_clinic", max_active_per_member=5, title="法律门诊")
    far = make.slot(cal, starts_at=utcnow() + timedelta(days=9))
    near = make.slot(cal, starts_at=utcnow() + timedelta(days=2))
    past = make.slot(cal, starts_at=utcnow() + timedelta(days=1))
    for s in (far, near, past):
        assert book(client, h, s.id).status_code == 201
    with time_machine.travel(past.starts_at + timedelta(hours=2)):
        items = client.get(f"{API}/me/bookings", headers=auth(member)).json["items"]
        assert [b["slot"]["id"] for b in items] == [near.id, far.id, past.id]
        assert items[0]["calendar"]["title"] == "法律门诊"
    assert client.get(f"{API}/me/bookings?status=cancelled", headers=h).json["total"] == 0


def test_staff_list_by_day_and_export_csv_and_xlsx(client, make, auth):
    staff = make.staff()
    day_cal = make.calendar(kind="reception_day", title="书记接待日")
    day1 = utcnow() + timedelta(days=5)
    first = make.slot(day_cal, starts_at=day1)
    second = make.slot(day_cal, starts_at=day1 + timedelta(days=1))
    a = make.member(name="张三", department="机修车间")
    b = make.member(name="李四")
    book(client, auth(a), first.id, topic="宿舍热水")
    book(client, auth(b), second.id)
    h = auth(staff)
    url = f"{API}/calendars/{day_cal.id}/bookings"
    local_day = first.starts_at.astimezone(SHANGHAI).date()
    one = client.get(url, headers=h, query_string={"date": local_day.isoformat()}).json
    assert [(r["name"], r["department"], r["topic"]) for r in one["items"]] == [("张三", "机修车间", "宿舍热水")]
    assert one["items"][0]["phone_masked"].count("*") == 4
    assert client.get(url, headers=h).json["total"] == 2
    assert client.get(url, headers=h, query_string={"date": "12/15"}).status_code == 400

    r = client.get(url, headers=h, query_string={"format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    text = r.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][-1] == "想反映的问题" and rows[0][:5] == ["日期", "开始", "结束", "工号", "姓名"]
    assert [(r[4], r[-1]) for r in rows[1:]] == [("张三", "宿舍热水"), ("李四", "")]
    assert [r[7] for r in rows[1:]] == [a.phone, b.phone]  # in full: staff phone members about a check
    assert rows[1][1] == first.starts_at.astimezone(SHANGHAI).strftime("%H:%M")

    r = client.get(url, headers=h, query_string={"format": "xlsx", "date": local_day.isoformat()})
    ws = load_workbook(io.BytesIO(r.data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][-1] == "想反映的问题" and values[1][4] == "张三" and values[1][-1] == "宿舍热水"
    assert len(values) == 2

    # other kinds carry no topic column
    clinic = make.calendar(kind="legal_clinic")
    book(client, auth(a), make.slot(clinic).id)
    header = client.get(f"{API}/calendars/{clinic.id}/bookings?format=csv", headers=h).get_data().decode()
    assert "想反映的问题" not in header and "张三" in header
