"""The management effectiveness report as an XLSX workbook of its raw numbers: the figures, one sheet per table,
the improvement checks. It computes nothing; numbers stay numbers (percent as a fraction shown as "42.3%"), and
every text cell is written so that it never runs as a formula (labels such as department names come from users).
"""
from __future__ import annotations

import io
import re

from ..core.exports import xlsx_row

UNIT_LABELS = {"percent": "百分比", "count": "数量", "hours": "小时", "days": "天", "score": "分", "times": "次"}
NUMBER_FORMATS = {"percent": "0.0%", "count": "#,##0", "hours": "0.0", "days": "0.0", "score": "0.00",
                  "times": "0.0"}
CHANGE_FORMATS = {"percent": '+0.0%;-0.0%;0.0%'}  # percentage points, as a fraction like the values
BETTER_LABELS = {"higher": "越高越好", "lower": "越低越好"}

FIGURES_SHEET, CHECKS_SHEET = "指标", "整改跟踪"
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_MAX = 31  # Excel's limit on a sheet name's length


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unused sheet name for `title`: no []:*?/\\, at most 31 characters, no leading or trailing
    apostrophe, unique without regard to case (as Excel compares them); the name is added to `taken`."""
    base = BAD_SHEET_CHARS.sub("_", title).strip().strip("'") or "表"
    name, n = base[:SHEET_MAX], 1
    while name.casefold() in taken:
        n += 1
        suffix = f"({n})"
        name = base[:SHEET_MAX - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def render(report: dict) -> bytes:
    """The report as XLSX bytes."""
    from openpyxl import Workbook  # imported when needed: it costs every process 0.2 s and 8 MB
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    period = report.get("period") or {}
    wb.properties.title = f"工会管理效能报告 {period.get('label') or ''}".strip()
    bold = Font(bold=True)
    taken = {FIGURES_SHEET.casefold(), CHECKS_SHEET.casefold(), "history"}  # Excel reserves "History"

    def sheet(name: str, headers: list[str], widths: list[float]):
        ws = wb.create_sheet(name)
        for i, w in enumerate(widths):
            ws.column_dimensions[_letter(i)].width = w
        ws.freeze_panes = "A2"
        head = xlsx_row(ws, [str(h) for h in headers])  # all text, so all cells
        for cell in head:
            cell.font = bold
        ws.append(head)
        return ws

    def number(ws, value, fmt: str | None):
        if fmt is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = fmt
        return cell

    def append(ws, values: list, formats: list[str | None]):
        ws.append([number(ws, v, f) for v, f in zip(xlsx_row(ws, values), formats, strict=True)])

    # Every figure, in report order.
    titles = {s["key"]: s["title"] for s in report.get("sections") or []}
    ws = sheet(FIGURES_SHEET, ["代码", "板块", "指标", "单位", "改善方向", "本期", "上期", "变化", "定义"],
               [30, 12, 24, 8, 10, 12, 12, 12, 80])
    for f in report.get("figures") or []:
        unit = f.get("unit")
        fmt = NUMBER_FORMATS.get(unit)
        append(ws, [f.get("key"), titles.get(f.get("section"), f.get("section")), f.get("label"),
                    UNIT_LABELS.get(unit, unit), BETTER_LABELS.get(f.get("better"), ""), f.get("value"),
                    f.get("previous"), f.get("change"), f.get("definition")],
               [None] * 5 + [fmt, fmt, CHANGE_FORMATS.get(unit, fmt), None])

    # One sheet per table, named after the table and its section.
    for section in report.get("sections") or []:
        for t in section.get("tables") or []:
            cols = t.get("columns") or []
            ws = sheet(sheet_name(f"{section['title']}-{t['title']}", taken), [c["label"] for c in cols],
                       [24 if c.get("unit") is None else 12 for c in cols])
            formats = [NUMBER_FORMATS.get(c.get("unit")) for c in cols]
            for row in t.get("rows") or []:
                append(ws, [row.get(c["key"]) for c in cols], formats)

    ws = sheet(CHECKS_SHEET, ["编号", "整改事项", "指标代码", "指标", "范围", "目标", "本期", "结论", "负责人",
                              "期限", "状态"], [8, 30, 30, 20, 14, 10, 10, 10, 10, 12, 8])
    for c in report.get("improvements") or []:
        fmt = NUMBER_FORMATS.get(c.get("unit"))
        append(ws, [c.get("id"), c.get("title"), c.get("figure"), c.get("figure_label"), c.get("group") or "",
                    c.get("target"), c.get("value"), c.get("verdict"), (c.get("owner") or {}).get("name"),
                    c.get("due_date"), _status(c.get("status"))],
               [None] * 5 + [fmt, fmt] + [None] * 4)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _status(status: str | None) -> str:
    from ..improvements.models import ImprovementStatus

    try:
        return ImprovementStatus(status).label
    except ValueError:
        return status or ""
