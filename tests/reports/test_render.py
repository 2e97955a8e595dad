"""The effectiveness report's renderers: a real PDF read back with poppler (text, fonts, pages) and a real XLSX read
back with openpyxl, both from the hand-written report dict of tests/reports/sample.py."""
from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pytest

from server.core.errors import AppError
from server.reports import pdf, xlsx

from .sample import sample_report

HOSTILE = "=cmd|' /C calc'!A0"


def _tool(tmp_path, name: str, data: bytes, *args: str) -> str:
    f = tmp_path / "report.pdf"
    f.write_bytes(data)
    return subprocess.run([name, *args, str(f), *(["-"] if name == "pdftotext" else [])], capture_output=True,
                          text=True, check=True).stdout


def _pages(tmp_path, data: bytes) -> list[str]:
    return _tool(tmp_path, "pdftotext", data, "-layout").split("\f")[:-1]


def _flat(text: str) -> str:
    """Text without whitespace: a definition wrapped over two lines reads as one string."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def render_pdf(app):
    def render(report: dict) -> bytes:
        with app.app_context():  # the union's name comes from the app's config
            return pdf.render(report, app.config.get("FONT_PATH"))
    return render


def test_pdf_prints_the_report(render_pdf, app, tmp_path):
    report = sample_report()
    data = render_pdf(report)
    assert data.startswith(b"%PDF-")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box and abs(float(box.group(1)) - 595.27) < 1 and abs(float(box.group(2)) - 841.89) < 1  # A4
    pages = _pages(tmp_path, data)
    cover, summary, text = pages[0], pages[1], "\n".join(pages)

    for part in ("工会管理效能报告", app.config["UNION_NAME"], "2026年第四季度", "2026-10-01 至 2026-12-31",
                 "对比期：2026年第三季度", "生成时间：2027年01月01日 08:00"):
        assert part in cover, part
    assert "截至" not in cover  # the period is complete

    # The one-page summary: headline figures only, each value, previous value and change formatted by unit.
    lines = {line.split()[0]: line.split()[1:] for line in summary.splitlines() if line.strip()}
    assert lines["活动参与率"] == ["42.3%", "38.1%", "▲", "+4.2", "个百分点"]
    assert lines["举办活动场次"] == ["1,234", "1,180", "▲", "+54"]
    assert lines["诉求平均办结时长"] == ["12.5", "小时", "15.0", "小时", "▼", "-2.5", "小时"]
    assert lines["诉求超期率"] == ["8.1%", "5.2%", "▲", "+2.9", "个百分点"]
    assert lines["困难帮扶平均响应天数"] == ["—", "3.0", "天", "—"]
    assert lines["会员满意度"] == ["4.21", "分", "4.35", "分", "▼", "-0.14", "分"]
    assert "人均参与次数" not in summary  # not a headline figure
    assert "人均参与次数" in text and "1.8 次" in text and "▼ -0.1 次" in text
    assert "持平" in text  # 问卷回收率 60.0% both periods

    for title in ("一、活动参与", "二、诉求办理", "三、困难帮扶", "四、会员满意度", "五、整改跟踪", "附录：指标定义",
                  "（一）按部门", "（二）按月", "（一）按诉求类别"):
        assert title in text, title
    # Charts: the department bars name every department on one axis line, the rate axis is in percent, and a
    # long category is cut.
    first = next(page for page in pages if "（一）按部门" in page)
    assert any("生产部" in line and "技术研发中心" in line and "其他（合并）" in line for line in first.splitlines())
    assert len(re.findall(r"^\s*\d+%\s*$", first, re.M)) >= 6  # two percent charts' value axes
    requests = next(page for page in pages if "二、诉求办理" in page)
    assert re.search(r"劳动安全与职业健康\S*…", requests) and "劳动安全与职业健康（含高温、噪声、粉尘防护）" in requests
    # A department table: its rows, the merged group still under five, and its note.
    row = next(line for line in text.splitlines() if line.strip().startswith("其他（合并）"))
    assert row.split()[1:] == ["4", "不足5人", "不足5人"]
    assert "不足 5 人的部门合并为「其他（合并）」" in text
    assert "诉求按提交时间归入期间。" in text and "期内无新登记，响应天数不计算。" in text
    # Improvement checks.
    check = next(line for line in text.splitlines() if "提高生产部活动参与率" in line)
    for part in ("活动参与率（生产部）", "50.0%", "46.0%", "未达标", "张三", "2026-12-31"):
        assert part in check, part
    assert "已达标" in text and "无法判断" in text and "14.0 小时" in text
    # The appendix: every figure's definition.
    appendix = _flat(text[text.index("附录：指标定义"):])
    for f in report["figures"]:
        assert _flat(f["label"] + "：" + f["definition"]) in appendix, f["key"]
    # Footers on every page after the cover.
    for n, page in enumerate(pages[1:], start=2):
        assert "工会管理效能报告 · 2026年第四季度" in page and re.search(rf"第\s*{n}\s*页\s*$", page), n
    assert not re.search(r"第\s*1\s*页", cover)


def test_pdf_prints_markup_as_text(render_pdf, tmp_path):
    report = sample_report()
    report["sections"][0]["title"] = "活动&参与<试点>"
    report["sections"][0]["tables"][0]["rows"][0]["label"] = "<b>研发&测试</b>"
    report["figures"][0]["definition"] = "参与人数 < 应参与会员数 & 大于零"
    report["improvements"][0]["group"] = "<生产部>"
    text = _flat("".join(_pages(tmp_path, render_pdf(report))))
    for part in ("一、活动&参与<试点>", "<b>研发&测试</b>", "参与人数 < 应参与会员数 & 大于零",
                 "活动参与率（<生产部>）"):
        assert _flat(part) in text, part


def test_pdf_embeds_the_chinese_font_and_nothing_else(render_pdf, tmp_path):
    fonts = _tool(tmp_path, "pdffonts", render_pdf(sample_report(big=True))).splitlines()[2:]
    assert fonts and all("WenQuanYi" in f or "CJK" in f for f in fonts), fonts
    assert all(f.split()[-5] == "yes" for f in fonts), fonts  # the "emb" column: no font left to the reader


def test_pdf_of_an_unfinished_period_says_up_to_when(render_pdf, tmp_path):
    report = sample_report(
        period={"key": "2026Q4", "kind": "quarter", "label": "2026年第四季度", "start": "2026-10-01",
                "end": "2026-12-31", "complete": False},
        generated_at="2026-12-03T09:30:00+08:00", improvements=[])
    pages = _pages(tmp_path, render_pdf(report))
    assert "本期尚未结束，数据截至 2026年12月03日" in pages[0]
    checks = "\n".join(pages)
    checks = checks[checks.index("五、整改跟踪"):checks.index("附录：指标定义")]
    assert "无。" in checks


def test_a_long_table_splits_across_pages_with_its_header(render_pdf, tmp_path):
    big = sample_report(big=True)
    section = big["sections"][0]
    table = dict(section["tables"][0], chart=None)
    assert len(table["rows"]) == 61
    report = sample_report(sections=[dict(section, tables=[table])])
    pages = _pages(tmp_path, render_pdf(report))
    rows = [i for i, page in enumerate(pages) if re.search(r"^\s*第\d+车间\s+\d", page, re.M)]
    assert len(rows) >= 2  # sixty rows do not fit one page
    for i in rows:
        header = next(line for line in pages[i].splitlines() if "参与人数" in line)
        assert header.split() == ["部门", "会员数", "参与人数", "参与率"], i
    assert "第60车间" in pages[rows[-1]] or "其他（合并）" in pages[rows[-1]]


def test_a_full_report_runs_to_many_pages(render_pdf, tmp_path):
    data = render_pdf(sample_report(big=True))
    info = _tool(tmp_path, "pdfinfo", data)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages > 25
    text = _tool(tmp_path, "pdftotext", data, "-layout")
    assert "十二、自查审计" in text and "十三、整改跟踪" in text
    assert re.search(rf"第\s*{pages}\s*页", text) and "工会管理效能报告 · 2026年度" in text


def test_without_a_chinese_font_poster_font_missing(app):
    with app.app_context(), pytest.raises(AppError) as e:
        pdf.render(sample_report(), "/nonexistent/font.ttc")
    assert e.value.code == "poster_font_missing" and e.value.status == 503


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.4231, "percent", "42.3%"), (1234, "count", "1,234"), (12.5, "hours", "12.5 小时"), (3, "days", "3.0 天"),
    (4.213, "score", "4.21 分"), (1.8, "times", "1.8 次"), (None, "percent", "—")])
def test_values_by_unit(value, unit, text):
    assert pdf.fmt_value(value, unit) == text


@pytest.mark.parametrize(("change", "unit", "better", "text", "colour"), [
    (0.042, "percent", "higher", "▲ +4.2 个百分点", pdf.GREEN),
    (0.042, "percent", "lower", "▲ +4.2 个百分点", pdf.RED),
    (-2.5, "hours", "lower", "▼ -2.5 小时", pdf.GREEN),
    (-0.14, "score", "higher", "▼ -0.14 分", pdf.RED),
    (54, "count", None, "▲ +54", pdf.GREY),
    (None, "percent", "higher", "—", pdf.GREY),
    (0.00001, "percent", "higher", "持平", pdf.GREY)])
def test_changes_point_and_colour_by_direction(change, unit, better, text, colour):
    assert pdf.fmt_change(change, unit, better) == (text, colour)


def test_sections_numbered_in_chinese():
    assert [pdf.chinese_number(n) for n in (1, 9, 10, 12, 20, 21)] == ["一", "九", "十", "十二", "二十", "二十一"]


def _workbook(report: dict):
    from openpyxl import load_workbook

    data = xlsx.render(report)
    return data, load_workbook(io.BytesIO(data))


def test_xlsx_holds_the_raw_numbers():
    report = sample_report()
    _, wb = _workbook(report)
    assert wb.sheetnames == ["指标", "活动参与-按部门", "活动参与-按月", "诉求办理-按诉求类别", "困难帮扶-按帮扶类型",
                             "会员满意度-分项得分", "整改跟踪"]
    figures = list(wb["指标"].iter_rows(values_only=True))
    assert figures[0] == ("代码", "板块", "指标", "单位", "改善方向", "本期", "上期", "变化", "定义")
    assert [r[0] for r in figures[1:]] == [f["key"] for f in report["figures"]]
    rate = wb["指标"]["F2"]
    assert rate.value == 0.4231 and rate.data_type == "n" and rate.number_format == "0.0%"
    assert figures[1][1:5] == ("活动参与", "活动参与率", "百分比", "越高越好")
    assert figures[1][7] == pytest.approx(0.042)
    assert figures[7][5:8] == (None, 3.0, None)  # no value: an empty cell, not "—"

    ws = wb["活动参与-按部门"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("部门", "会员数", "参与人数", "参与率")
    first = report["sections"][0]["tables"][0]["rows"][0]
    assert rows[1] == (first["label"], first["eligible"], first["participants"], first["rate"])
    assert ws["D2"].number_format == "0.0%" and ws["B2"].number_format == "#,##0"
    assert rows[-1] == ("其他（合并）", 4, None, None)

    checks = list(wb["整改跟踪"].iter_rows(values_only=True))
    assert checks[0][:8] == ("编号", "整改事项", "指标代码", "指标", "范围", "目标", "本期", "结论")
    assert checks[1] == (7, "提高生产部活动参与率", "participation.by_department:100:rate", "活动参与率", "生产部",
                         0.5, 0.46, "未达标", "张三", "2026-12-31", "整改中")
    assert wb["整改跟踪"]["F2"].number_format == "0.0%"


def test_xlsx_never_runs_a_label_as_a_formula():
    report = sample_report()
    report["sections"][0]["tables"][0]["rows"][0]["label"] = HOSTILE
    report["improvements"][0]["title"] = "+SUM(1,2)"
    data, wb = _workbook(report)
    cell = wb["活动参与-按部门"]["A2"]
    assert cell.value == HOSTILE and cell.data_type == "s" and cell.quotePrefix
    assert wb["整改跟踪"]["B2"].value == "+SUM(1,2)" and wb["整改跟踪"]["B2"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_xlsx_sheet_names_are_valid_and_unique():
    report = sample_report()
    tables = report["sections"][0]["tables"]
    for t in tables:
        t["title"] = "按部门/科室[含下属单位]：参与情况明细表？"
    report["sections"][0]["title"] = "活动参与*"
    _, wb = _workbook(report)
    names = wb.sheetnames
    assert len(set(n.casefold() for n in names)) == len(names)
    for n in names:
        assert len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n), n
    assert names[1].startswith("活动参与_-按部门_科室_含下属单位_") and names[2].endswith("(2)")
    taken = {"指标"}
    assert xlsx.sheet_name("指标", taken) == "指标(2)" and xlsx.sheet_name("'引号'", taken) == "引号"


def test_xlsx_of_a_full_report():
    report = sample_report(big=True)
    _, wb = _workbook(report)
    tables = sum(len(s["tables"]) for s in report["sections"])
    assert len(wb.sheetnames) == tables + 2 and tables >= 25
    assert wb.sheetnames[-1] == "整改跟踪"
    assert wb["活动参与-按部门"].max_row == 62  # the header and 61 rows


def test_the_summary_page_says_what_got_better_and_worse():
    from server.reports.pdf import highlights

    def fig(label, unit, better, change, headline=True):
        return {"key": label, "label": label, "unit": unit, "better": better, "headline": headline,
                "change": change, "value": 0.5, "previous": 0.5}

    report = {"figures": [fig("参与率", "percent", "higher", 0.042), fig("响应时长", "hours", "lower", 2.0),
                          fig("诉求数", "count", None, 12), fig("得分", "score", "higher", 0.0),
                          fig("非主要", "percent", "higher", -0.3, headline=False)],
              "improvements": [{"verdict": "已达标"}, {"verdict": "未达标"}, {"verdict": "进行中"}]}
    assert highlights(report) == ["改善：参与率（+4.2 个百分点）。", "变差：响应时长（+2.0 小时）。",
                                  "整改跟踪：本期到期 2 项，已达标 1 项，未达标 1 项，无法判断 0 项；尚未到期 1 项。"]
    assert highlights({"figures": [], "improvements": []}) == [
        "改善：无。", "变差：无。", "整改跟踪：本期没有以指标为目标的整改事项。"]
