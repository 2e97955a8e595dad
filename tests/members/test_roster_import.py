"""Roster import from real CSV/XLSX files, and the `members` commands."""
from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from server.members.models import Department, Grid, Member, Tag
from server.members.roster import RosterFileError, RosterRow, import_rows, read_roster
from server.members.services import member_by_employee_no

HEADER = ["employee_no", "name", "phone", "department", "grid", "roles", "tags"]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path, rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def import_file(path, **kw):
    return import_rows(read_roster(path), **kw)


def member(no) -> Member:
    return member_by_employee_no(no)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the import service ---------------------------------------------------------------------------

def test_csv_creates_members_with_departments_grids_roles_and_tags(db, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [
        ["E001", "张三", "+86 138-0000-0001", "生产一部", "第一网格", "liaison；staff", "生产岗;新员工"],
        ["E002", "李四", "13800000002", "技术部", "第二网格", "", ""],
        ["E003", "王五", "", "", "", "member", ""],
    ], encoding="utf-8-sig")  # Excel writes a BOM

    report = import_file(path)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, [])
    zhang = member("E001")
    assert zhang.phone == "13800000001"
    assert (zhang.department.name, zhang.grid.name) == ("生产一部", "第一网格")
    assert zhang.roles == ["liaison", "member", "staff"]
    assert {t.name for t in zhang.tags} == {"生产岗", "新员工"}
    assert member("E002").roles == ["member"] and member("E002").tags == []
    assert member("E003").phone is None and member("E003").department is None
    assert {d for d in db.session.scalars(select(Department.name))} >= {"生产一部", "技术部"}
    assert count(db, Grid) >= 2 and count(db, Tag) >= 2


def test_bad_rows_are_reported_by_line_and_good_rows_still_import(db, tmp_path, make):
    make.member(employee_no="OLD1", phone="13900000099")
    path = write_csv(tmp_path / "roster.csv", [
        ["E001", "张三", "13800000001", "", "", "", ""],             # line 2: fine
        ["", "无工号", "", "", "", "", ""],                          # 3
        ["E003", "", "", "", "", "", ""],                            # 4
        ["E004", "赵六", "1380000", "", "", "", ""],                 # 5
        ["E005", "钱七", "", "", "", "boss", ""],                    # 6
        ["E001", "张三又来", "", "", "", "", ""],                    # 7: duplicate employee_no
        ["E007", "孙八", "138 0000 0001", "", "", "", ""],           # 8: duplicate phone in the file
        ["E008", "周九", "13900000099", "", "", "", ""],             # 9: phone held by OLD1
        ["X" * 33, "吴十", "", "", "", "", ""],                      # 10
        ["E010", "郑十一", "13800000010", "", "", "", ""],           # 11: fine
    ])

    report = import_file(path)

    assert report.created == 2
    assert member("E001").name == "张三" and member("E010") is not None
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "工号" in reasons[3] and "姓名" in reasons[4]
    assert "手机号格式不正确" in reasons[5] and "boss" in reasons[6]
    assert "第 2 行重复" in reasons[7] and "第 2 行重复" in reasons[8]
    assert "OLD1" in reasons[9] and "32" in reasons[10]
    assert str(report.rejected[0]).startswith("第 3 行")


def test_reimport_is_idempotent(db, tmp_path):
    rows = [[f"E{i:03d}", f"会员{i}", f"1380000{i:04d}", "生产一部", "第一网格", "", "老员工"] for i in range(30)]
    path = write_csv(tmp_path / "roster.csv", rows)
    first = import_file(path)
    members, tags = count(db, Member), count(db, Tag)

    again = import_file(path)

    assert (first.created, again.created, again.updated, again.unchanged) == (30, 0, 0, 30)
    assert (count(db, Member), count(db, Tag)) == (members, tags)


def test_reimport_updates_by_employee_no_and_keeps_granted_roles_when_cell_empty(db, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [
        ["E001", "张三", "13800000001", "生产一部", "第一网格", "staff", "新员工"],
        ["E002", "李四", "13800000002", "生产一部", "第一网格", "admin", "新员工"],
    ]))

    report = import_file(write_csv(tmp_path / "b.csv", [
        ["E001", "张三丰", "13800000011", "技术部", "第二网格", "liaison", "老员工"],
        ["E002", "李四", "13800000002", "生产一部", "第一网格", "", ""],  # HR file without roles/tags
    ]))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    zhang = member("E001")
    assert (zhang.name, zhang.phone, zhang.department.name, zhang.grid.name) == (
        "张三丰", "13800000011", "技术部", "第二网格")
    assert zhang.roles == ["liaison", "member"] and [t.name for t in zhang.tags] == ["老员工"]
    li = member("E002")
    assert li.roles == ["admin", "member"] and [t.name for t in li.tags] == ["新员工"]


def test_phones_can_swap_between_members_in_one_file(db, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [["E1", "甲", "13800000001", "", "", "", ""],
                                              ["E2", "乙", "13800000002", "", "", "", ""]]))
    report = import_file(write_csv(tmp_path / "b.csv", [["E1", "甲", "13800000002", "", "", "", ""],
                                                        ["E2", "乙", "13800000001", "", "", "", ""]]))
    assert (report.updated, report.rejected) == (2, [])
    assert (member("E1").phone, member("E2").phone) == ("13800000002", "13800000001")


def test_gbk_csv_with_chinese_headers(db, tmp_path):
    path = write_csv(tmp_path / "hr.csv",
                     [["G001", "欧阳娜娜", "13800000123", "后勤保障部", "第三网格", "联络员", "困难职工"]],
                     header=["工号", "姓名", "手机号", "部门", "网格", "角色", "标签"], encoding="gbk")

    report = import_file(path)

    assert report.created == 1
    m = member("G001")
    assert (m.name, m.department.name, m.roles) == ("欧阳娜娜", "后勤保障部", ["liaison", "member"])


def test_roles_may_be_written_as_the_console_labels_them(db, tmp_path):
    from server.core.roles import MemberRole

    labels = "；".join(role.label for role in MemberRole)  # 会员；网格联络员；工会干事；书记；系统管理员；经费会计
    path = write_csv(tmp_path / "hr.csv", [["G002", "周六", "", "", "", labels, ""]])

    assert import_file(path).created == 1
    assert member("G002").roles == ["admin", "liaison", "member", "secretary", "staff", "treasurer"]


def test_xlsx_with_numeric_cells(db, tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", [
        [10001, "张三", 13800000001, "生产一部", "第一网格", "staff;admin", "生产岗"],
        [10002, "李四", "138-0000-0002", None, None, None, None],
        [None, "缺工号", None, None, None, None, None],
    ])

    report = import_file(path)

    assert report.created == 2
    assert member("10001").phone == "13800000001" and member("10001").roles == ["admin", "member", "staff"]
    assert [(r.line, r.reason) for r in report.rejected] == [(4, "缺少工号")]


@pytest.mark.parametrize("header, missing", [
    (["employee_no", "name", "phone"], "department, grid, roles, tags"),
    (["工号", "名字", "phone", "department", "grid", "roles", "tags"], "name"),
])
def test_wrong_header_names_the_missing_columns(tmp_path, header, missing):
    path = write_csv(tmp_path / "bad.csv", [["E1", "张三", "13800000001"]], header=header)
    with pytest.raises(RosterFileError) as e:
        read_roster(path)
    assert f"表头缺少列：{missing}" in str(e.value) and f"Missing columns: {missing}" in str(e.value)


def test_unreadable_xlsx(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(RosterFileError, match="无法读取 Excel 文件"):
        read_roster(path)


def test_missing_members_stay_unless_deactivate_missing(db, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [["E1", "甲", "", "", "", "", ""], ["E2", "乙", "", "", "", "", ""],
                                              ["E3", "丙", "", "", "", "", ""]]))
    smaller = write_csv(tmp_path / "b.csv", [["E1", "甲", "", "", "", "", ""], ["E3", "丙", "bad", "", "", "", ""]])

    kept = import_file(smaller)
    assert kept.deactivated == 0 and member("E2").is_active

    report = import_file(smaller, deactivate_missing=True)
    # E3 is in the file (its row was rejected), so it is not "missing".
    assert report.deactivated == 1
    assert (member("E1").is_active, member("E2").is_active, member("E3").is_active) == (True, False, True)

    back = import_file(write_csv(tmp_path / "c.csv", [["E2", "乙", "", "", "", "", ""]]))
    assert back.updated == 1 and member("E2").is_active


def test_progress_reports_every_row(db):
    seen = []
    rows = [RosterRow(line=i + 2, employee_no=f"P{i}", name="某") for i in range(2500)] + [RosterRow(line=9999)]
    import_rows(rows, progress=seen.append)
    assert sum(seen) == 2501


# --- the command line (it commits) ----------------------------------------------------------------

@pytest.fixture
def runner(app, committing_db):
    return app.test_cli_runner()


def test_cli_import_prints_summary_and_rejected_lines(runner, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [["E1", "张三", "13800000001", "生产一部", "", "", ""],
                                              ["E2", "李四", "12", "", "", "", ""]])

    result = runner.invoke(args=["members", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "新增 created: 1" in result.output and "拒绝 rejected: 1" in result.output
    assert "第 3 行（工号 E2）：手机号格式不正确" in result.output
    assert member("E1").department.name == "生产一部"

    again = runner.invoke(args=["members", "import", str(path)])
    assert "未变 unchanged: 1" in again.output


def test_cli_import_wrong_header_exits_1(runner, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [["E1", "张三"]], header=["employee_no", "name"])
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1
    assert "表头缺少列：phone, department, grid, roles, tags" in result.output


def test_cli_import_all_rows_rejected_exits_1(runner, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [["", "张三", "", "", "", "", ""]])
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1 and "第 2 行：缺少工号" in result.output


def test_cli_help_says_missing_members_are_kept(runner):
    result = runner.invoke(args=["members", "import", "--help"])
    assert "NOT deleted" in result.output and "--deactivate-missing" in result.output


def test_cli_grant_and_revoke(runner, committing_db):
    committing_db.session.add(Member(employee_no="E1", name="张三", roles=["member"]))
    committing_db.session.commit()

    assert runner.invoke(args=["members", "grant", "E1", "staff"]).exit_code == 0
    assert member("E1").roles == ["member", "staff"]
    assert "已有角色" in runner.invoke(args=["members", "grant", "E1", "staff"]).output

    result = runner.invoke(args=["members", "revoke", "E1", "staff"])
    assert result.exit_code == 0
    committing_db.session.expire_all()
    assert member("E1").roles == ["member"]

    for args, text in [(["revoke", "E1", "member"], "不能撤销"), (["grant", "E1", "boss"], "未知角色"),
                       (["grant", "NOPE", "staff"], "NOPE 不在会员名册中")]:
        result = runner.invoke(args=["members", *args])
        assert result.exit_code == 1 and text in result.output


def test_cli_set_password_then_console_sign_in(app, runner, committing_db):
    committing_db.session.add(Member(employee_no="S1", name="干事", roles=["member", "staff"]))
    committing_db.session.commit()
    client = app.test_client()

    short = runner.invoke(args=["members", "set-password", "S1", "--password", "short"])
    assert short.exit_code == 1 and "至少 8 位" in short.output

    mismatch = runner.invoke(args=["members", "set-password", "S1"], input="secret123\nother1234\n")
    assert mismatch.exit_code != 0

    prompted = runner.invoke(args=["members", "set-password", "S1"], input="secret123\nsecret123\n")
    assert prompted.exit_code == 0, prompted.output
    ok = client.post("/api/v1/auth/password-login", json={"employee_no": "S1", "password": "secret123"})
    assert ok.status_code == 200 and ok.get_json()["member"]["employee_no"] == "S1"

    runner.invoke(args=["members", "set-password", "S1", "--password", "changed-again"])
    old = client.post("/api/v1/auth/password-login", json={"employee_no": "S1", "password": "secret123"})
    assert old.status_code == 401 and old.get_json()["error"]["code"] == "invalid_credentials"


def test_a_small_file_reads_only_its_own_members_from_a_large_roster(db, make):
    """A district roster of a million is not loaded to import a few rows: every read of members and their tags
    is limited to the file's employee numbers, phones and members (memory in proportion to the file)."""
    from tests.statements import statements_of

    for i in range(30):
        make.member(employee_no=f"R{i:04d}", tags=("老员工",))
    holder = make.member(employee_no="R9999", phone="13900009999")
    rows = [RosterRow(line=2, employee_no="R0001", name="改名", phone="", department="一部", grid="",
                      roles="", tags="新标签"),
            RosterRow(line=3, employee_no="N0001", name="新人", phone="13900009999", department="一部", grid="",
                      roles="", tags=""),
            RosterRow(line=4, employee_no="N0002", name="新人二", phone="13900000002", department="一部", grid="",
                      roles="", tags="")]
    with statements_of(db.engine) as statements:
        report = import_rows(rows)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")
             and ("FROM members" in s or "FROM member_tags" in s)]
    assert reads and all("WHERE" in s for s in reads), reads
    # And the answers are as before: the phone another member holds is refused, the rest go in.
    assert (report.created, report.updated, [r.line for r in report.rejected]) == (1, 1, [3])
    assert member_by_employee_no("R0001").name == "改名" and holder.phone == "13900009999"
