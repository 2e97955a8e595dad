"""Registration lists as CSV and XLSX."""
from __future__ import annotations

from flask import Response

from ..core.exports import download as spreadsheet
from ..core.exports import local_text
from .models import RegistrationStatus

HEADERS = ["工号", "姓名", "部门", "网格", "手机", "状态", "候补位次", "报名时间", "签到时间"]


def _rows(items):
    for i in items:
        yield [i.employee_no, i.name, i.department or "", i.grid or "", i.phone_masked or "",
               RegistrationStatus(i.status).label, i.waitlist_position or "", local_text(i.created_at),
               local_text(i.checked_in_at)]


def download(event, items, fmt: str) -> Response:
    return spreadsheet(_rows(items), HEADERS, fmt, sheet="报名名单", ascii_name=f"registrations-{event.id}",
                       filename=f"{event.title}-报名名单")
