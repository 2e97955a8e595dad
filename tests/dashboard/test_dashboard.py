"""GET /dashboard: the console's first page, each figure checked against rows made here."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from server.bookings import booking
from server.core.timeutil import SHANGHAI, utcnow
from server.dashboard import queries
from server.events import signup
from server.events.models import Checkin
from server.notices import services as notices
from server.notices.models import Delivery
from server.suggestions import services as suggestions

URL = "/api/v1/dashboard"


def _beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def _checkin(db, event, member, at, registration=None):
    db.session.add(Checkin(event_id=event.id, member_id=member.id, checked_in_at=at, method="code",
                           registration_id=registration.id if registration else None,
                           is_walk_in=registration is None))


def test_events_of_the_week_with_their_counts(client, make, auth, db):
    staff = make.staff()
    today = utcnow().astimezone(SHANGHAI).date()
    now_event = make.event(title="今天的活动", starts_at=utcnow() + timedelta(hours=1))
    later = make.event(title="六天后的讲座", starts_at=_beijing(today + timedelta(days=6), 9), capacity=1)
    make.event(title="九天后", starts_at=_beijing(today + timedelta(days=9), 9))
    make.event(title="上周", starts_at=_beijing(today - timedelta(days=7), 9))
    cancelled = make.event(title="取消了", starts_at=_beijing(today + timedelta(days=2), 9))
    cancelled.status = "cancelled"
    a, b, c = make.member(), make.member(), make.member()
    reg, _, _ = signup.register(a.id, now_event.id)
    signup.register(b.id, now_event.id)
    # It began half an hour ago (moved after the sign-ups, which close at the start), and a checked in.
    now_event.starts_at = utcnow() - timedelta(minutes=30)
    _checkin(db, now_event, a, utcnow(), reg)
    signup.register(a.id, later.id)
    signup.register(c.id, later.id)  # waits: capacity 1
    db.session.flush()

    r = client.get(URL, headers=auth(staff))
    assert r.status_code == 200, r.json
    assert r.json["today"] == today.isoformat()
    by_title = {e["title"]: e for e in r.json["events"]}
    assert list(by_title) == ["今天的活动", "六天后的讲座"]
    assert by_title["今天的活动"].items() >= {"confirmed_count": 2, "checked_in": 1, "is_today": True}.items()
    assert by_title["六天后的讲座"].items() >= {"confirmed_count": 1, "waitlist_count": 1, "checked_in": 0,
                                              "is_today": False, "capacity": 1}.items()


def test_todays_bookings_with_who_booked(client, make, auth, db):
    staff = make.staff()
    today = utcnow().astimezone(SHANGHAI).date()
    cal = make.calendar(kind="reception_day", title="书记接待日")
    late_today = make.slot(cal, starts_at=max(utcnow() + timedelta(minutes=5), _beijing(today, 23, 0)), capacity=2)
    tomorrow = make.slot(cal, starts_at=_beijing(today + timedelta(days=1), 9))
    m = make.member(name="张三", department="机修车间")
    booking.book_slot(m.id, late_today.id, topic="食堂")
    booking.book_slot(make.member().id, tomorrow.id)
    cancelled, _ = booking.book_slot(make.member().id, late_today.id)
    booking.cancel_booking(staff, cancelled.id, staff=True)

    r = client.get(URL, headers=auth(staff))
    if late_today.starts_at.astimezone(SHANGHAI).date() != today:
        return  # run in the last minutes of a Beijing day: there is no "later today" left to book
    assert [(b["member_name"], b["department"], b["calendar_title"]) for b in r.json["bookings"]] == [
        ("张三", "机修车间", "书记接待日")]


def test_open_suggestions_and_failing_deliveries(client, make, auth, db):
    staff = make.staff()
    for i in range(3):
        s, _ = suggestions.submit(make.member().id, "other", None, f"意见{i}")
    suggestions.file_held(force=True)
    members = [make.member() for _ in range(4)]
    notice = notices.send_notice(notices.create_notice(
        staff.id, title="体检通知", body="正文", channels=["sms"], audience={"member_ids": [m.id for m in members]}).id)
    rows = db.session.scalars(db.select(Delivery).filter_by(notice_id=notice.id).order_by(Delivery.id)).all()
    rows[0].status, rows[1].status, rows[2].status = "failed", "unknown", "sent"
    db.session.flush()

    r = client.get(URL, headers=auth(staff))
    assert r.json["suggestions"] == {"open": 3, "new": 3, "in_progress": 0}
    assert r.json["deliveries"] == {"failing": 2, "failed": 1, "unknown": 1,
                                    "notices": [{"id": notice.id, "title": "体检通知", "failing": 2}]}


def test_participation_per_beijing_month_and_department(client, make, auth, db):
    staff = make.staff()
    today = utcnow().astimezone(SHANGHAI).date()
    months = queries.last_months(today)
    this_month, first_month = months[-1], months[0]
    ev = make.event(starts_at=utcnow() - timedelta(days=400))
    a = make.member(department="机修车间")
    b = make.member(department="质检部")
    nobody = make.member()
    # 00:30 Beijing on the 1st is still the previous day in UTC: it counts for the Beijing month.
    _checkin(db, ev, a, _beijing(this_month, 0, 30))
    _checkin(db, ev, b, _beijing(first_month, 10))
    _checkin(db, ev, nobody, _beijing(first_month, 11))
    c = make.member(department="机修车间")
    _checkin(db, ev, c, _beijing(first_month, 0, 10) - timedelta(minutes=30))  # a month too early: not counted
    db.session.flush()

    r = client.get(URL, headers=auth(staff))
    p = r.json["participation"]
    assert len(p["months"]) == 12 and p["months"][-1] == this_month.strftime("%Y-%m")
    assert p["months"][0] == first_month.strftime("%Y-%m")
    series = {s["department"]: s["counts"] for s in p["series"]}
    assert series == {
        "机修车间": [0] * 11 + [1],
        "质检部": [1] + [0] * 11,
        "未分配部门": [1] + [0] * 11,
    }


def test_last_months_cross_the_year():
    assert queries.last_months(date(2026, 2, 14), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_members_are_refused(client, make, auth):
    r = client.get(URL, headers=auth(make.member()))
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
