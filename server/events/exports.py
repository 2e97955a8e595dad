"""Registration lists as CSV and XLSX."""
from __future__ import annotations

from flask import Response

from ..core.exports import download as spreadsheet
from ..core.exports import local_text
from .models import RegistrationStatus

HEADERS = ["工号", "姓名", "部门", "网格", "手机", "状态", "候补位次", "报名时间", "签到时间"]


def _rows(items, phones):
    for i in items:
        yield [i.employee_no, i.name, i.department or "", i.grid or "", phones.get(i.member_id) or "",
               RegistrationStatus(i.status).label, i.waitlist_position or "", local_text(i.created_at),
               local_text(i.checked_in_at)]


def download(event, items, fmt: str, phones: dict[int, str | None]) -> Response:
    """``phones``: member id -> full phone (staff phone members; the route logs who was given them)."""
    return spreadsheet(_rows(items, phones), HEADERS, fmt, sheet="报名名单", ascii_name=f"registrations-{event.id}",
                       filename=f"{event.title}-报名名单")
