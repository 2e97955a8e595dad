"""HTTP for the working-day calendar: any member reads it, admins enter days, staff see what is missing."""
from __future__ import annotations

from datetime import date

from flask import g, request

from ..core.api import MULTIPART, api
from ..core.errors import invalid_request
from ..core.timeutil import SHANGHAI, utcnow
from . import bp, services
from .calendar import DayInfo, WorkCalendar, unknown_years
from .schemas import (
    ScheduleImportOut,
    ScheduleUploadIn,
    WorkdayIn,
    WorkdayList,
    WorkdayOut,
    WorkdayQuery,
    WorkdayStatusOut,
)

UPLOAD_MAX_BYTES = 256 * 1024


def _day_out(d: DayInfo) -> WorkdayOut:
    return WorkdayOut(date=d.date, workday=d.workday, name=d.name, known=d.known, source=d.source)


def _path_day(text: str) -> date:
    try:
        return services.parse_day(text)
    except ValueError as e:
        raise invalid_request({"date": str(e)}) from None


@bp.get("/workdays")
@api(roles=["member"], query=WorkdayQuery, out=WorkdayList)
def list_workdays(query: WorkdayQuery):
    """Every day from `from` to `to` (at most 366): working day or not, its holiday's name, whether the
    year's schedule is known, and where the answer comes from (admin, package, fallback)."""
    cal = WorkCalendar(query.from_, query.to)
    return WorkdayList(items=[_day_out(d) for d in cal.days()])


@bp.get("/workdays/status")
@api(roles=["staff"], out=WorkdayStatusOut)
def workday_status():
    """This year and the next: which are known to neither the package nor the admins (staff); the console
    banner warns about warn_years."""
    today = utcnow().astimezone(SHANGHAI).date()
    warn = services.years_to_warn(today)
    return WorkdayStatusOut(unknown_years=unknown_years([today.year, today.year + 1]), warn_years=warn,
                            message=services.warning_text(warn) if warn else None)


@bp.put("/workdays/<day>")
@api(roles=["admin"], body=WorkdayIn, out=WorkdayOut)
def put_workday(day: str, body: WorkdayIn):
    """Set a day as a working day or a holiday, with an optional name (admin); it wins over the package."""
    return _day_out(services.set_day(_path_day(day), body.workday, body.name, g.member.id))


@bp.delete("/workdays/<day>")
@api(roles=["admin"], out=WorkdayOut)
def delete_workday(day: str):
    """Forget what admins entered for the day (admin): the package, else Monday to Friday, answers again."""
    return _day_out(services.reset_day(_path_day(day)))


@bp.post("/workdays/import")
@api(roles=["admin"], body=ScheduleUploadIn, out=ScheduleImportOut, consumes=(MULTIPART,))
def import_workdays():
    """Upload a schedule (multipart field ``file``, CSV ``date,workday,name``) with the rules of `flask
    workdays import` (admin). A file with a bad line is refused whole: 400 with each line and reason in
    details.lines; nothing is stored."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise invalid_request({"file": "请选择 CSV 文件"})
    data = upload.read(UPLOAD_MAX_BYTES + 1)
    if len(data) > UPLOAD_MAX_BYTES:
        raise invalid_request({"file": f"文件过大：最多 {UPLOAD_MAX_BYTES // 1024} KB"})
    try:
        entries = services.parse_schedule(data)
    except services.ScheduleFileError as e:
        err = invalid_request({"file": f"文件有 {len(e.problems)} 处错误，未导入任何一行"})
        err.details["lines"] = [{"line": p.line, "reason": p.reason} for p in e.problems]
        raise err from None
    report = services.import_schedule(entries, g.member.id)
    return ScheduleImportOut(rows=report.rows, created=report.created, updated=report.updated,
                           unchanged=report.unchanged, years=report.years)
