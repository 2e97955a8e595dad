"""How slots are described in notices and messages, and telling members about their bookings."""
from __future__ import annotations

from datetime import datetime

from ..core.timeutil import SHANGHAI
from ..notices import services as notices
from .models import Calendar, Slot

WEEKDAYS = "一二三四五六日"
PAGE = "pages/bookings/index"


def local(dt: datetime) -> datetime:
    return dt.astimezone(SHANGHAI)


def day_label(dt: datetime) -> str:
    d = local(dt)
    return f"{d.month}月{d.day}日"


def span_label(starts_at: datetime, ends_at: datetime) -> str:
    """12月15日（周二）14:00—14:30"""
    s, e = local(starts_at), local(ends_at)
    return f"{s.month}月{s.day}日（周{WEEKDAYS[s.weekday()]}）{s:%H:%M}—{e:%H:%M}"


def part_of_day(dt: datetime) -> str:
    hour = local(dt).hour
    return "上午" if hour < 12 else "下午" if hour < 18 else "晚上"


def slot_location(slot: Slot, calendar: Calendar) -> str:
    return slot.location or calendar.location


def tell(member_ids: list[int], title: str, body: str, calendar_id: int) -> None:
    """A notice to the given members now about a change to their booking in the calendar: push, with SMS
    where no push can go."""
    if not member_ids:
        return
    notice = notices.create_notice(None, title=title[:100], body=body, channels=["push"],
                                   audience={"member_ids": member_ids}, sms_fallback=True, page="pages/bookings/mine",
                                   source="booking_change", calendar_id=calendar_id)
    notices.send_notice(notice.id)
