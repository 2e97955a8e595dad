"""Entering the calendar: one day at a time (console), or a year's schedule from a CSV file (CLI and console),
and which years the admins must be warned about.

The CSV file (docs/workdays.md): a header ``date,workday,name``, then one line per day that differs from
Monday to Friday (holidays and make-up working days), e.g. ``2027-10-09,1,国庆节调休``. ``workday`` takes
1/0, true/false or 是/否. A file with any bad line is refused whole, each bad line named; nothing is written.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core.extensions import db
from ..core.timeutil import utcnow
from .calendar import DayInfo, WorkCalendar, unknown_years
from .models import WorkdayOverride

HEADER = ["date", "workday", "name"]
WORKDAY_WORDS = {"1": True, "true": True, "是": True, "0": False, "false": False, "否": False}
NAME_MAX = 40
MAX_LINES = 2000  # a few years' exceptions are a few dozen lines; anything far larger is the wrong file
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --- reading a file -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    day: date
    workday: bool
    name: Optional[str]


@dataclass
class Problem:
    line: int
    reason: str


class ScheduleFileError(Exception):
    """The file is refused whole; ``problems`` names each bad line (line 1 is the header)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"第 {p.line} 行：{p.reason}" for p in problems))
        self.problems = problems


def parse_day(text: str) -> date:
    """A calendar day written YYYY-MM-DD within 2000–2999; ValueError with a Chinese reason otherwise."""
    if not _DATE.fullmatch(text or ""):
        raise ValueError("日期格式应为 YYYY-MM-DD，例如 2027-01-01")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError("不存在的日期") from None
    if not 2000 <= day.year <= 2999:
        raise ValueError("日期超出范围（2000–2999 年）")
    return day


def parse_schedule(data: bytes | str) -> list[Entry]:
    """The entries of a schedule file (UTF-8, with or without BOM). Raises ScheduleFileError."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            reason = "文件不是 UTF-8 编码的 CSV（请在表格软件中另存为“CSV UTF-8”）"
            raise ScheduleFileError([Problem(1, reason)]) from None
    data = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader]  # line_num: where the row ends in the file
    except csv.Error as e:
        raise ScheduleFileError([Problem(reader.line_num, f"无法按 CSV 读取：{e}")]) from None
    if not rows or [c.strip().lower() for c in rows[0][1]] != HEADER:
        raise ScheduleFileError([Problem(1, "第一行应为表头 date,workday,name")])
    if len(rows) - 1 > MAX_LINES:
        raise ScheduleFileError([Problem(rows[MAX_LINES + 1][0], f"文件过长：最多 {MAX_LINES} 行")])
    problems: list[Problem] = []
    entries: dict[date, Entry] = {}
    first_line: dict[date, int] = {}
    for line, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue  # blank lines (a trailing one above all) are not days
        if len(row) not in (2, 3):
            problems.append(Problem(line, f"应有 2 或 3 列（date,workday,name），实有 {len(row)} 列"))
            continue
        text, flag, name = (c.strip() for c in (row + [""])[:3])
        reasons = []
        try:
            day = parse_day(text)
        except ValueError as e:
            day = None
            reasons.append(f"date：{e}")
        workday = WORKDAY_WORDS.get(flag.lower())
        if workday is None:
            reasons.append("workday：应为 1/0、true/false 或 是/否")
        if len(name) > NAME_MAX:
            reasons.append(f"name：不能超过 {NAME_MAX} 个字符")
        elif _CONTROL.search(name):
            reasons.append("name：不能包含控制字符")
        if day is not None and day in first_line:
            reasons.append(f"date：与第 {first_line[day]} 行重复")
        if reasons:
            problems.append(Problem(line, "；".join(reasons)))
            continue
        first_line[day] = line
        entries[day] = Entry(day, workday, name or None)
    if problems:
        raise ScheduleFileError(problems)
    if not entries:
        raise ScheduleFileError([Problem(2, "文件中没有数据行")])
    return sorted(entries.values(), key=lambda e: e.day)


# --- writing --------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)


def _upsert():
    return pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert


def import_schedule(entries: list[Entry], by_id: int | None) -> ImportReport:
    """Store the entries: existing days read in one query, every changed day written in one upsert."""
    days = [e.day for e in entries]
    existing = {r.day: (r.workday, r.name) for r in db.session.execute(
        select(WorkdayOverride.day, WorkdayOverride.workday, WorkdayOverride.name)
        .where(WorkdayOverride.day.in_(days)))}
    report = ImportReport(rows=len(entries), years=sorted({d.year for d in days}))
    changed = []
    for e in entries:
        before = existing.get(e.day)
        if before == (e.workday, e.name):
            report.unchanged += 1
            continue
        if before is None:
            report.created += 1
        else:
            report.updated += 1
        changed.append({"day": e.day, "workday": e.workday, "name": e.name, "updated_by_id": by_id,
                        "updated_at": utcnow()})
    if changed:
        stmt = _upsert()(WorkdayOverride).values(changed)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=[WorkdayOverride.day],
            set_={"workday": stmt.excluded.workday, "name": stmt.excluded.name,
                  "updated_by_id": stmt.excluded.updated_by_id, "updated_at": stmt.excluded.updated_at}))
    return report


def set_day(day: date, workday: bool, name: Optional[str], by_id: int | None) -> DayInfo:
    """The admin's word for one day (a holiday, a make-up working day, a correction)."""
    import_schedule([Entry(day, workday, (name or "").strip() or None)], by_id)
    return day_info(day)


def reset_day(day: date) -> DayInfo:
    """Forget the admin's word for the day: the package or Monday to Friday answers again."""
    db.session.execute(delete(WorkdayOverride).where(WorkdayOverride.day == day))
    return day_info(day)


def day_info(day: date) -> DayInfo:
    return WorkCalendar(day, day).info(day)


# --- warnings -------------------------------------------------------------------------------------

def years_to_warn(today: date) -> list[int]:
    """Unknown years the admins must hear about today: this year, and from November on the next (the State
    Council publishes it in November, and clocks started in December already reach into it)."""
    watch = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return unknown_years(watch)


def warning_text(years: list[int]) -> str:
    listed = "、".join(f"{y} 年" for y in years)
    return (f"{listed}的节假日安排尚未录入，工作日暂按周一至周五计算，诉求的办理时限可能算错。"
            f"请在管理后台“工作日历”中录入（或导入国务院公布的安排）。")
