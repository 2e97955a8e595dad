"""`flask workdays import FILE` and `flask workdays show YEAR` with real files, through Flask's CLI runner."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from server.workdays.calendar import unknown_years
from server.workdays.models import WorkdayOverride

SCHEDULE_2027 = """\ufeffdate,workday,name
2027-01-01,0,元旦
2027-02-06,是,春节调休
2027-02-10,否,春节
2027-02-11,false,春节
2027-10-09,TRUE,国庆节调休
"""


def _file(tmp_path, text, name="2027.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_a_year_then_again_changes_nothing(app, db, tmp_path):
    runner = app.test_cli_runner()
    path = _file(tmp_path, SCHEDULE_2027)
    first = runner.invoke(args=["workdays", "import", path])
    assert first.exit_code == 0, first.output
    assert "已导入 2027 年的 5 天：新增 5，更新 0，未变 0" in first.output
    assert unknown_years([2027]) == []
    rows = {r.day: (r.workday, r.name) for r in db.session.scalars(select(WorkdayOverride))}
    assert rows[date(2027, 2, 6)] == (True, "春节调休") and rows[date(2027, 2, 11)] == (False, "春节")
    assert rows[date(2027, 10, 9)] == (True, "国庆节调休")

    again = runner.invoke(args=["workdays", "import", path])
    assert again.exit_code == 0 and "新增 0，更新 0，未变 5" in again.output
    assert db.session.scalar(select(func.count()).select_from(WorkdayOverride)) == 5


def test_a_file_with_bad_lines_is_refused_whole_with_their_numbers(app, db, tmp_path):
    bad = SCHEDULE_2027 + "2027-04-31,0,清明节\n2027-05-01,休,劳动节\n\n2027-06-01,0,儿童节,多余\n"
    result = app.test_cli_runner().invoke(args=["workdays", "import", _file(tmp_path, bad)])
    assert result.exit_code != 0
    assert "第 7 行：date：不存在的日期" in result.output
    assert "第 8 行：workday：应为 1/0、true/false 或 是/否" in result.output
    assert "第 10 行：应有 2 或 3 列" in result.output
    assert "文件有 3 处错误，未导入任何一行" in result.output
    assert db.session.scalar(select(func.count()).select_from(WorkdayOverride)) == 0


def test_a_file_without_the_header_is_refused(app, db, tmp_path):
    result = app.test_cli_runner().invoke(args=["workdays", "import", _file(tmp_path, "2027-01-01,0,元旦\n")])
    assert result.exit_code != 0 and "第 1 行：第一行应为表头 date,workday,name" in result.output


def test_show_a_package_year(app, db):
    result = app.test_cli_runner().invoke(args=["workdays", "show", "2026"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("2026 年：已知（国务院安排（chinesecalendar））")
    assert "2026-10-01 周四  国庆节  [国务院安排]" in out
    # Saturday 10 October 2026 is a make-up working day for National Day.
    holidays, makeups = out.split("调休上班")
    assert "2026-10-10 周六  国庆节调休" in makeups and "2026-10-10" not in holidays


def test_show_an_unknown_year_then_entered(app, db, tmp_path):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["workdays", "show", "2027"]).output
    assert "2027 年：未录入，按周一至周五计算工作日" in out and "节假日（工作日放假）0 天" in out
    runner.invoke(args=["workdays", "import", _file(tmp_path, SCHEDULE_2027)])
    out = runner.invoke(args=["workdays", "show", "2027"]).output
    assert out.startswith("2027 年：已知（管理员录入）")
    assert "2027-02-10 周三  春节  [管理员录入]" in out and "2027-02-06 周六  春节调休  [管理员录入]" in out
    assert "节假日（工作日放假）3 天" in out and "调休上班（周末上班）2 天" in out


def test_show_refuses_a_silly_year(app, db):
    result = app.test_cli_runner().invoke(args=["workdays", "show", "99999"])
    assert result.exit_code == 2
