"""The management effectiveness report as an A4 PDF (reportlab, CJK font embedded as for the proposals' summary;
without a font the caller gets 503 poster_font_missing).

It prints the report dict of docs/reports.md as it is and computes no figure: a cover, the headline figures on one
page, one numbered section per area (figures, then each table with its chart), the improvement checks and the
figures' definitions. Table cells are plain strings wrapped here rather than Paragraphs: a full report has thousands
of cells, and Paragraphs would make it several times slower.
"""
from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from notifications import poster

from ..core.timeutil import SHANGHAI
from ..proposals.summary import _font

TITLE = "工会管理效能报告"
NONE = "—"
UNDER_FIVE = "不足5人"  # a merged group's empty cell: the group is still too small to show (docs/reports.md)

GREEN, RED, GREY = "#1A7F37", "#C8102E", "#7A7A7A"
RULE, STRIPE, MERGED_TINT = "#BBBBBB", "#F6F6F6", "#FBEFF1"
SERIES_COLOURS = ("#C8102E", "#2F6DB5", "#E0A526", "#3C9D5D", "#7A4FA0", "#7A7A7A")

# Units as a table header shows them ("平均办结时长（小时）"); percent and count cells say enough themselves.
HEADER_UNITS = {"hours": "小时", "days": "天", "score": "分", "times": "次"}
PLACES = {"hours": 1, "days": 1, "score": 2, "times": 1}

VERDICT_COLOURS = {"已达标": GREEN, "未达标": RED}

CHART_ROWS = 12  # more categories than this: horizontal bars, so long labels stay readable
CHART_CHUNK = 32  # categories per horizontal bar drawing: a drawing cannot split across pages


# --- formatting (pure) --------------------------------------------------------------------------------

def _number(value, places: int) -> str:
    return f"{value:,.{places}f}"


def _count(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def fmt_value(value, unit: str | None) -> str:
    """A figure's value with its unit: "42.3%", "1,234", "12.5 小时", "3.0 天", "4.21 分", "1.8 次"; None "—"."""
    if value is None:
        return NONE
    if isinstance(value, str):
        return value
    if unit == "percent":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return _count(value)
    if unit in PLACES:
        return f"{_number(value, PLACES[unit])} {HEADER_UNITS[unit]}"
    return str(value)


def fmt_cell(value, unit: str | None, merged: bool = False) -> str:
    """A table cell: as fmt_value but without the unit word, which the column's header carries."""
    if value is None:
        return UNDER_FIVE if merged else NONE
    if isinstance(value, (str, bool)):
        return str(value)
    if unit == "percent":
        return f"{value * 100:.1f}%"
    if unit in PLACES:
        return _number(value, PLACES[unit])
    if unit == "count" or isinstance(value, int):
        return _count(value)
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def fmt_change(change, unit: str | None, better: str | None) -> tuple[str, str]:
    """(text, colour) of a change: "▲ +4.2 个百分点" green when it moved the better way, red when worse, grey when
    the figure has no direction or nothing to compare; a change that rounds to zero reads "持平"."""
    if change is None:
        return NONE, GREY
    if unit == "percent":
        shown, word = round(change * 100, 1), " 个百分点"
        text = f"{shown:+.1f}{word}"
    elif unit in PLACES:
        shown = round(change, PLACES[unit])
        text = f"{shown:+,.{PLACES[unit]}f} {HEADER_UNITS[unit]}"
    else:
        shown = round(change, 1)
        text = ("+" if shown > 0 else "") + _count(shown)
    if shown == 0:
        return "持平", GREY
    arrow = "▲" if shown > 0 else "▼"
    if better not in ("higher", "lower"):
        return f"{arrow} {text}", GREY
    return f"{arrow} {text}", GREEN if (shown > 0) == (better == "higher") else RED


def highlights(report: dict) -> list[str]:
    """The summary page's sentences: which headline figures moved the better way and which the worse (with a
    direction and a change), and how the improvement items due in the period fared."""
    better, worse = [], []
    for f in report.get("figures") or []:
        if not f.get("headline") or f.get("better") not in ("higher", "lower") or not f.get("change"):
            continue
        text, colour = fmt_change(f["change"], f.get("unit"), f["better"])
        if colour == GREEN:
            better.append(f"{f['label']}（{text.lstrip('▲▼ ')}）")
        elif colour == RED:
            worse.append(f"{f['label']}（{text.lstrip('▲▼ ')}）")
    lines = [f"改善：{'、'.join(better)}。" if better else "改善：无。",
             f"变差：{'、'.join(worse)}。" if worse else "变差：无。"]
    checks = report.get("improvements") or []
    verdicts = [c.get("verdict") for c in checks]
    due = [v for v in verdicts if v != "进行中"]
    if checks:
        lines.append(f"整改跟踪：本期到期 {len(due)} 项，已达标 {verdicts.count('已达标')} 项，"
                     f"未达标 {verdicts.count('未达标')} 项，无法判断 {verdicts.count('无法判断')} 项；"
                     f"尚未到期 {verdicts.count('进行中')} 项。")
    else:
        lines.append("整改跟踪：本期没有以指标为目标的整改事项。")
    return lines


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (sections are numbered as official documents are)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def _local(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment.astimezone(SHANGHAI) if moment.tzinfo else moment


# --- text fitting ---------------------------------------------------------------------------------------

def _fitter(font: str, size: float):
    """wrap(text, width) and cut(text, width) for one font size, measuring each character once."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widths: dict[str, float] = {}

    def w(ch: str) -> float:
        if ch not in widths:
            widths[ch] = stringWidth(ch, font, size)
        return widths[ch]

    def wrap(text: str, width: float, max_lines: int = 4) -> str:
        if stringWidth(text, font, size) <= width:
            return text
        lines, line, used = [], "", 0.0
        for ch in text:
            if used + w(ch) > width and line:
                carry = line[-1] if ch in poster.NO_START and len(line) > 1 else ""  # no line opens with "）"
                lines.append(line[:len(line) - len(carry)])
                line, used = carry, w(carry) if carry else 0.0
            line += ch
            used += w(ch)
        lines.append(line)
        if len(lines) > max_lines:
            lines = lines[:max_lines - 1] + [cut("".join(lines[max_lines - 1:]), width)]
        return "\n".join(lines)

    def cut(text: str, width: float) -> str:
        if stringWidth(text, font, size) <= width:
            return text
        room, out = width - w("…"), ""
        for ch in text:
            if room - w(ch) < 0:
                break
            room -= w(ch)
            out += ch
        return out + "…"

    return wrap, cut


# --- the document ---------------------------------------------------------------------------------------

def render(report: dict, font_path: str | None = None) -> bytes:
    """The report as PDF bytes. Raises AppError poster_font_missing when no Chinese font is usable."""
    from flask import current_app, has_app_context
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        CondPageBreak,
        Frame,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    font = _font(font_path)
    period, previous = report["period"], report.get("previous") or {}
    figures = {f["key"]: f for f in report.get("figures") or []}
    union = current_app.config.get("UNION_NAME") if has_app_context() else None
    frame_width = A4[0] - 28 * mm
    hex_colour = {c: colors.HexColor(c) for c in (GREEN, RED, GREY, RULE, STRIPE, MERGED_TINT, poster.ACCENT,
                                                  *SERIES_COLOURS)}

    cover_title = ParagraphStyle("cover", fontName=font, fontSize=28, leading=40, alignment=1)
    cover_sub = ParagraphStyle("cover_sub", fontName=font, fontSize=14, leading=24, alignment=1)
    cover_small = ParagraphStyle("cover_small", parent=cover_sub, fontSize=11, leading=18,
                                 textColor=hex_colour[GREY])
    h1 = ParagraphStyle("h1", fontName=font, fontSize=15, leading=22, spaceBefore=4, spaceAfter=6,
                        textColor=hex_colour[poster.ACCENT], keepWithNext=1)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=11.5, leading=17, spaceBefore=8, spaceAfter=4, keepWithNext=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    note = ParagraphStyle("note", parent=body, fontSize=8, leading=11, textColor=hex_colour[GREY], spaceBefore=2)
    term = ParagraphStyle("term", parent=body, spaceBefore=3)

    size = 8.5
    wrap, cut = _fitter(font, size)
    chart_cut = _fitter(font, 7)[1]  # chart labels are 7 points at most
    pad = 4  # points of padding each side of a cell

    def table(rows: list[list[str]], widths: list[float], *, right: list[int] = (), extra: list = (),
              stripes: bool = True) -> Table:
        t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        cmds = [("FONT", (0, 0), (-1, -1), font, size, size + 2.5),
                ("BACKGROUND", (0, 0), (-1, 0), hex_colour[poster.ACCENT]),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("GRID", (0, 0), (-1, -1), 0.4, hex_colour[RULE]),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
        if stripes:
            cmds.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, hex_colour[STRIPE]]))
        cmds += [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in right]
        t.setStyle(TableStyle(cmds + list(extra)))
        return t

    def figure_table(keys: list[str]) -> Table | None:
        shown = [figures[k] for k in keys if k in figures]
        if not shown:
            return None
        widths = [frame_width * w for w in (0.40, 0.17, 0.17, 0.26)]
        rows, extra = [["指标", "本期", "上期", "变化"]], []
        for i, f in enumerate(shown, start=1):
            change, colour = fmt_change(f.get("change"), f.get("unit"), f.get("better"))
            rows.append([wrap(f["label"], widths[0] - 2 * pad), fmt_value(f.get("value"), f.get("unit")),
                         fmt_value(f.get("previous"), f.get("unit")), change])
            extra.append(("TEXTCOLOR", (3, i), (3, i), hex_colour[colour]))
        return table(rows, widths, right=[1, 2, 3], extra=extra)

    def header_label(col: dict, width: float) -> str:
        label, word = col["label"], HEADER_UNITS.get(col.get("unit"))
        if not word or word in label:
            return wrap(label, width, 3)
        one_line = f"{label}（{word}）"
        return one_line if wrap(one_line, width) == one_line else f"{wrap(label, width, 2)}\n（{word}）"

    def data_table(t: dict) -> Table | None:
        cols = t.get("columns") or []
        if not cols:
            return None
        numeric = [c.get("unit") is not None for c in cols]
        # Numbers get 30 mm, text 70 mm (the first column) or 45 mm; all shrink alike when that is too wide.
        widths = [30 * mm if n else (70 * mm if i == 0 else 45 * mm) for i, n in enumerate(numeric)]
        if sum(widths) > frame_width:
            widths = [w * frame_width / sum(widths) for w in widths]
        rows = [[header_label(c, widths[i] - 2 * pad) for i, c in enumerate(cols)]]
        extra = []
        for r, row in enumerate(t.get("rows") or [], start=1):
            merged = bool(row.get("merged"))
            cells = []
            for i, c in enumerate(cols):
                value = row.get(c["key"])
                if numeric[i]:
                    cells.append(fmt_cell(value, c.get("unit"), merged))
                else:
                    cells.append(wrap(NONE if value is None else str(value), widths[i] - 2 * pad))
            rows.append(cells)
            if merged:
                extra += [("BACKGROUND", (0, r), (-1, r), hex_colour[MERGED_TINT]),
                          ("TEXTCOLOR", (0, r), (-1, r), hex_colour[GREY])]
        if len(rows) == 1:
            rows.append([NONE] * len(cols))
        return table(rows, widths, right=[i for i, n in enumerate(numeric) if n], extra=extra)

    def charts(t: dict) -> list:
        spec, rows = t.get("chart"), t.get("rows") or []
        if not spec or not rows:
            return []
        cols = {c["key"]: c for c in t.get("columns") or []}
        series = [k for k in spec.get("series") or [] if k in cols]
        numbers = [[row.get(k) if isinstance(row.get(k), (int, float)) else None for row in rows] for k in series]
        if not any(v is not None for s in numbers for v in s):
            return []
        unit = cols[series[0]].get("unit")
        labels = [str(row.get("label") or row.get("key") or "") for row in rows]
        names = [cols[k]["label"] for k in series]
        if spec.get("kind") == "line":
            return [_line_chart(labels, numbers, names, unit, font, frame_width, hex_colour, chart_cut)]
        if len(rows) <= CHART_ROWS:
            return [_vertical_bars(labels, numbers, names, unit, font, frame_width, hex_colour, chart_cut)]
        top = max(v for s in numbers for v in s if v is not None)
        chunk = -(-len(rows) // -(-len(rows) // CHART_CHUNK))  # even chunks: 61 rows are 31 + 30, not 30 + 30 + 1
        out = []
        for start in range(0, len(rows), chunk):
            part = slice(start, start + chunk)
            out.append(_horizontal_bars(labels[part], [s[part] for s in numbers], names, unit, top, font,
                                        frame_width, hex_colour, chart_cut))
        return out

    def heading(text: str, style, level: int):
        p = Paragraph(escape(text), style)
        p.outline = (text, level)  # picked up by afterFlowable: the PDF's bookmarks
        return p

    # Cover.
    story = [Spacer(1, 55 * mm)]
    if union:
        story += [Paragraph(escape(union), cover_sub), Spacer(1, 6 * mm)]
    story += [heading(TITLE, cover_title, 0), Spacer(1, 8 * mm),
              Paragraph(escape(period.get("label") or ""), cover_sub),
              Paragraph(f"{escape(period.get('start') or '')} 至 {escape(period.get('end') or '')}", cover_small)]
    generated = _local(report.get("generated_at"))
    if period.get("complete") is False and generated:
        story.append(Paragraph(f"本期尚未结束，数据截至 {generated:%Y年%m月%d日}", cover_small))
    if previous.get("label"):
        story.append(Paragraph(f"对比期：{escape(previous['label'])}", cover_small))
    if generated:
        story += [Spacer(1, 30 * mm), Paragraph(f"生成时间：{generated:%Y年%m月%d日 %H:%M}", cover_small)]
    story.append(PageBreak())

    # The one-page summary.
    story.append(heading("主要指标", h1, 0))
    compare = f"，与{escape(previous['label'])}比较" if previous.get("label") else ""
    story.append(Paragraph(f"本期：{escape(period.get('label') or '')}"
                           f"（{escape(period.get('start') or '')} 至 {escape(period.get('end') or '')}）{compare}。",
                           body))
    story.append(Spacer(1, 3 * mm))
    summary = figure_table([f["key"] for f in report.get("figures") or [] if f.get("headline")])
    story.append(summary if summary is not None else Paragraph("无。", body))
    story.append(Paragraph("变化：▲ 上升，▼ 下降；绿色为改善，红色为变差，灰色为无改善方向或无法比较。"
                           "百分比的变化以百分点计。“—”表示无数据。", note))
    story.append(Spacer(1, 4 * mm))
    story.append(heading("本期要点", h2, 1))
    for line in highlights(report):
        story.append(Paragraph(escape(line), body))
    story.append(PageBreak())

    # The sections.
    number = 0
    for section in report.get("sections") or []:
        number += 1
        if number > 1:
            story.append(CondPageBreak(60 * mm))
        story.append(heading(f"{chinese_number(number)}、{section['title']}", h1, 0))
        ft = figure_table(section.get("figures") or [])
        if ft is not None:
            story += [ft, Spacer(1, 2 * mm)]
        for n, t in enumerate(section.get("tables") or [], start=1):
            story.append(heading(f"（{chinese_number(n)}）{t['title']}", h2, 1))
            story += charts(t)
            dt = data_table(t)
            if dt is not None:
                story.append(dt)
            if t.get("note"):
                story.append(Paragraph(escape(t["note"]), note))
        if section.get("note"):
            story.append(Paragraph(escape(section["note"]), note))
        story.append(Spacer(1, 4 * mm))

    # Improvement checks.
    number += 1
    story += [CondPageBreak(50 * mm), heading(f"{chinese_number(number)}、整改跟踪", h1, 0)]
    checks = report.get("improvements") or []
    if checks:
        widths = [frame_width * w for w in (0.22, 0.24, 0.10, 0.10, 0.09, 0.11, 0.14)]
        rows, extra = [["整改事项", "指标", "目标", "本期", "结论", "负责人", "期限"]], []
        for i, c in enumerate(checks, start=1):
            target = c.get("figure_label") or c.get("figure") or ""
            if c.get("group"):
                target += f"（{c['group']}）"
            owner = (c.get("owner") or {}).get("name") or NONE
            rows.append([wrap(c.get("title") or "", widths[0] - 2 * pad), wrap(target, widths[1] - 2 * pad),
                         fmt_value(c.get("target"), c.get("unit")), fmt_value(c.get("value"), c.get("unit")),
                         c.get("verdict") or NONE, wrap(owner, widths[5] - 2 * pad), c.get("due_date") or NONE])
            extra.append(("TEXTCOLOR", (4, i), (4, i), hex_colour[VERDICT_COLOURS.get(c.get("verdict"), GREY)]))
        story.append(table(rows, widths, right=[2, 3], extra=extra))
    else:
        story.append(Paragraph("无。", body))

    # Appendix: what every figure means, by section.
    story += [PageBreak(), heading("附录：指标定义", h1, 0)]
    titles = {s["key"]: s["title"] for s in report.get("sections") or []}
    order = list(titles) + sorted({f.get("section") for f in figures.values()} - set(titles), key=str)
    for key in order:
        members = [f for f in report.get("figures") or [] if f.get("section") == key]
        if not members:
            continue
        block = [Paragraph(escape(titles.get(key) or str(key or "其他")), h2)]
        for f in members:
            block.append(Paragraph(f'<font color="{poster.ACCENT}">{escape(f["label"])}</font>：'
                                   f'{escape(f.get("definition") or NONE)}', term))
        story += block

    footer_text = f"{TITLE} · {period.get('label') or ''}"

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(hex_colour[GREY])
        canvas.drawString(14 * mm, 10 * mm, footer_text)
        canvas.drawRightString(A4[0] - 14 * mm, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            if hasattr(flowable, "outline"):
                text, level = flowable.outline
                key = f"h{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=level)

    buf = io.BytesIO()
    frame = Frame(14 * mm, 18 * mm, frame_width, A4[1] - 34 * mm, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc = Doc(buf, pagesize=A4, title=f"{TITLE} {period.get('label') or ''}", author=union or "",
              leftMargin=14 * mm, rightMargin=14 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
              initialFontName=font)  # else every page names Helvetica, a font not embedded
    doc.addPageTemplates([PageTemplate("cover", frames=[frame], autoNextPageTemplate="page"),
                          PageTemplate("page", frames=[frame], onPage=footer)])
    doc.build(story)
    return buf.getvalue()


# --- charts ---------------------------------------------------------------------------------------------

def _short(v: float) -> str:
    """An axis step without trailing zeros: 40, 2.5, 0.25 (small steps keep their digits)."""
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _axis_format(unit: str | None):
    if unit == "percent":
        return lambda v: _short(v * 100) + "%"
    return _short


def _style_axes(chart, font: str, unit: str | None, size: float = 7) -> None:
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = size
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = size
    chart.valueAxis.labelTextFormat = _axis_format(unit)
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = chart.valueAxis.strokeColor = _grey_line()
    chart.valueAxis.gridStrokeWidth = 0.3


def _grey_line():
    from reportlab.lib import colors

    return colors.HexColor("#DDDDDD")


def _legend(drawing, names: list[str], font: str, colours: list, x: float, y: float) -> None:
    """The series' names in one row above the plot, from its left edge (only when there are several)."""
    if len(names) < 2:
        return
    from reportlab.graphics.charts.legends import Legend

    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = font, 7
    legend.alignment = "right"  # swatch, then its name
    legend.columnMaximum = 1
    legend.dx = legend.dy = 6
    legend.deltax = 12
    legend.autoXPadding = 12
    legend.colorNamePairs = list(zip(colours, names, strict=True))
    drawing.add(legend)


def _value_floor(numbers) -> float | None:
    low = min((v for s in numbers for v in s if v is not None), default=0)
    return 0 if low >= 0 else None


def _vertical_bars(labels, numbers, names, unit, font, width, hex_colour, cut):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing

    height = 62 * 2.8346  # 62 mm
    d = Drawing(width, height, initialFontName=font)  # else it names Helvetica, a font not embedded
    chart = VerticalBarChart()
    room = (width - 50) / len(labels)
    # Upright labels, cut to their bars' width, unless that leaves too little to read: then slanted.
    slant = room < 50 and any(cut(x, room - 4) != x for x in labels)
    chart.x, chart.y = 40, 40 if slant else 22
    chart.width, chart.height = width - 50, height - chart.y - 18
    chart.data = numbers
    chart.categoryAxis.categoryNames = [cut(x, 52 if slant else room - 4) for x in labels]
    if slant:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    _style_axes(chart, font, unit)
    chart.valueAxis.valueMin = _value_floor(numbers)
    chart.barSpacing = 1
    chart.groupSpacing = max(4, room * 0.25)
    palette = [hex_colour[c] for c in SERIES_COLOURS]
    for i in range(len(numbers)):
        chart.bars[i].fillColor = palette[i % len(palette)]
        chart.bars[i].strokeColor = None
    d.add(chart)
    _legend(d, names, font, palette[:len(names)], chart.x, height - 4)
    return d


def _horizontal_bars(labels, numbers, names, unit, top, font, width, hex_colour, cut):
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing

    per = 9 + 4 * (len(numbers) - 1)  # points per category
    height = per * len(labels) + 34
    d = Drawing(width, height, initialFontName=font)  # else it names Helvetica, a font not embedded
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 16
    chart.width, chart.height = width - 120, height - 34
    chart.data = numbers
    chart.categoryAxis.categoryNames = [cut(x, 100) for x in labels]
    chart.categoryAxis.reverseDirection = 1  # the first row on top, as in the table
    _style_axes(chart, font, unit, 6.5)
    chart.valueAxis.valueMin = _value_floor(numbers)
    chart.valueAxis.valueMax = top if top > 0 else None  # every chunk on the same scale
    chart.barSpacing = 0.5
    chart.groupSpacing = 2
    palette = [hex_colour[c] for c in SERIES_COLOURS]
    for i in range(len(numbers)):
        chart.bars[i].fillColor = palette[i % len(palette)]
        chart.bars[i].strokeColor = None
    d.add(chart)
    _legend(d, names, font, palette[:len(names)], chart.x, height - 4)
    return d


def _line_chart(labels, numbers, names, unit, font, width, hex_colour, cut):
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.graphics.widgets.markers import makeMarker

    height = 62 * 2.8346
    d = Drawing(width, height, initialFontName=font)  # else it names Helvetica, a font not embedded
    chart = HorizontalLineChart()
    slant = len(labels) > 8
    chart.x, chart.y = 40, 40 if slant else 22
    chart.width, chart.height = width - 50, height - chart.y - 18
    chart.data = numbers
    # Labels of a line are short (months, weeks); beyond 24 points only every other one is named.
    step = 1 if len(labels) <= 24 else 2
    chart.categoryAxis.categoryNames = [cut(x, 60) if i % step == 0 else "" for i, x in enumerate(labels)]
    if slant:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    _style_axes(chart, font, unit)
    chart.valueAxis.valueMin = _value_floor(numbers)
    chart.joinedLines = 1
    palette = [hex_colour[c] for c in SERIES_COLOURS]
    for i in range(len(numbers)):
        chart.lines[i].strokeColor = palette[i % len(palette)]
        chart.lines[i].strokeWidth = 1.2
        chart.lines[i].symbol = makeMarker("FilledCircle", size=3, fillColor=palette[i % len(palette)])
    d.add(chart)
    _legend(d, names, font, palette[:len(names)], chart.x, height - 4)
    return d
