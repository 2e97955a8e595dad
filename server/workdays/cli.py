"""`flask workdays import FILE` and `flask workdays show YEAR` (docs/workdays.md)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from ..core.extensions import transaction


@click.group("workdays")
def workdays_cli():
    """China's working-day calendar: enter a year's holidays and make-up days, or show a year."""


@workdays_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(file: str):
    """Enter days from a CSV file with the header date,workday,name (workday: 1/0, true/false or 是/否).

    A file with any bad line is refused whole (each line named, nothing written); importing the same file
    again changes nothing."""
    from .services import ScheduleFileError, import_schedule, parse_schedule

    with open(file, "rb") as f:
        data = f.read()
    try:
        entries = parse_schedule(data)
    except ScheduleFileError as e:
        for p in e.problems:
            click.echo(f"第 {p.line} 行：{p.reason}", err=True)
        raise click.ClickException(f"文件有 {len(e.problems)} 处错误，未导入任何一行") from None
    with transaction():
        report = import_schedule(entries, None)
    years = "、".join(str(y) for y in report.years)
    click.echo(f"已导入 {years} 年的 {report.rows} 天：新增 {report.created}，更新 {report.updated}，"
               f"未变 {report.unchanged}")


@workdays_cli.command("show")
@click.argument("year", type=click.IntRange(2000, 2999))
@with_appcontext
def show_command(year: int):
    """Print the year's holidays and make-up working days, and whether its schedule is known."""
    from .calendar import WorkCalendar

    cal = WorkCalendar(date(year, 1, 1), date(year, 12, 31))
    WEEKDAYS = "一二三四五六日"
    holidays, makeups = [], []
    for d in cal.days():
        weekend = d.date.weekday() >= 5
        if not d.workday and (not weekend or d.name):
            holidays.append(d)
        elif d.workday and weekend:
            makeups.append(d)
    if cal.year_known(year):
        by = "管理员录入" if any(d.source == "admin" for d in cal.days()) else "国务院安排（chinesecalendar）"
        click.echo(f"{year} 年：已知（{by}）")
    else:
        click.echo(f"{year} 年：未录入，按周一至周五计算工作日（请用 flask workdays import 录入）")

    def line(d):
        return f"  {d.date.isoformat()} 周{WEEKDAYS[d.date.weekday()]}  {d.name or ''}  [{d.source.label}]".rstrip()

    click.echo(f"节假日（工作日放假）{len(holidays)} 天：")
    for d in holidays:
        click.echo(line(d))
    click.echo(f"调休上班（周末上班）{len(makeups)} 天：")
    for d in makeups:
        click.echo(line(d))
