"""Booking lists as CSV and XLSX."""
from __future__ import annotations

from flask import Response

from ..core.exports import download as spreadsheet
from ..core.exports import local_text
from ..core.timeutil import SHANGHAI
from .models import BookingStatus

HEADERS = ["日期", "开始", "结束", "工号", "姓名", "部门", "网格", "手机", "状态", "预约时间", "取消时间", "取消方"]
TOPIC = "想反映的问题"


def _rows(items, with_topic: bool, phones):
    for i in items:
        start, end = i.starts_at.astimezone(SHANGHAI), i.ends_at.astimezone(SHANGHAI)
        cancelled_by = "" if i.status == "booked" else ("工会" if i.cancelled_by_staff else "本人")
        row = [start.strftime("%Y-%m-%d"), start.strftime("%H:%M"), end.strftime("%H:%M"), i.employee_no, i.name,
               i.department or "", i.grid or "", phones.get(i.member_id) or "", BookingStatus(i.status).label,
               local_text(i.created_at), local_text(i.cancelled_at), cancelled_by]
        yield row + [i.topic or ""] if with_topic else row


def download(calendar, items, fmt: str, phones: dict[int, str | None], day=None) -> Response:
    """``phones``: member id -> full phone (staff phone members about a health check; the route logs it)."""
    # Only reception-day bookings carry a topic; this list is for staff and the secretary alone.
    with_topic = calendar.kind == "reception_day"
    suffix = f"-{day:%Y%m%d}" if day else ""
    return spreadsheet(_rows(items, with_topic, phones), HEADERS + [TOPIC] if with_topic else HEADERS, fmt,
                       sheet="预约名单", ascii_name=f"bookings-{calendar.id}{suffix}",
                       filename=f"{calendar.title}-预约名单{suffix}")
