"""Booking lists as CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook

from ..exports import csv_row, xlsx_row
from ..timeutil import SHANGHAI

STATUS_ZH = {"booked": "已预约", "cancelled": "已取消"}
HEADERS = ["日期", "开始", "结束", "工号", "姓名", "部门", "网格", "手机", "状态", "预约时间", "取消时间", "取消方"]
TOPIC = "想反映的问题"


def _local(dt):
    return dt.astimezone(SHANGHAI) if dt else None


def _fmt(dt) -> str:
    return _local(dt).strftime("%Y-%m-%d %H:%M:%S") if dt else ""


def _rows(items, with_topic: bool):
    for i in items:
        start, end = _local(i.starts_at), _local(i.ends_at)
        cancelled_by = "" if i.status == "booked" else ("工会" if i.cancelled_by_staff else "本人")
        row = [start.strftime("%Y-%m-%d"), start.strftime("%H:%M"), end.strftime("%H:%M"), i.employee_no, i.name,
               i.department or "", i.grid or "", i.phone_masked or "", STATUS_ZH[i.status], _fmt(i.created_at),
               _fmt(i.cancelled_at), cancelled_by]
        yield row + [i.topic or ""] if with_topic else row


def download(calendar, items, fmt: str, day=None) -> Response:
    # Only reception-day bookings carry a topic; this list is for staff and the secretary alone.
    with_topic = calendar.kind == "reception_day"
    headers = HEADERS + [TOPIC] if with_topic else HEADERS
    suffix = f"-{day:%Y%m%d}" if day else ""
    filename = f"{calendar.title}-预约名单{suffix}.{fmt}"
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf)
        writer.writerow(headers)
        writer.writerows(csv_row(row) for row in _rows(items, with_topic))
        body, mime = buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("预约名单")
        ws.append(headers)
        for row in _rows(items, with_topic):
            ws.append(xlsx_row(ws, row))
        out = io.BytesIO()
        wb.save(out)
        body, mime = out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = Response(body, mimetype=mime)
    resp.headers["Content-Disposition"] = f"attachment; filename=bookings-{calendar.id}{suffix}.{fmt}; " \
                                          f"filename*=UTF-8''{quote(filename)}"
    return resp
