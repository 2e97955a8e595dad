"""A published month's printable A4 statement (reportlab, the CJK font embedded as in posters): the totals, the
categories, every entry, the month's hash and the previous month's, and a QR code to the online page (/f/<month>,
built as the posters' links are: PUBLIC_BASE_URL + the page's path)."""
from __future__ import annotations

import io

from reportlab.platypus.flowables import Flowable

from notifications import poster

from ..core.errors import AppError
from ..core.timeutil import SHANGHAI, utcnow
from . import services
from .chain import month_bounds
from .models import FundKind, FundMonth

# Entry columns: (title, width in points, right-aligned). A4 less margins is 510 points.
COLUMNS = [("编号", 38, False), ("日期", 52, False), ("类型", 26, False), ("科目", 70, False),
           ("金额（元）", 70, True), ("对方单位/个人", 110, False), ("摘要", 144, False)]
ROW_H, FONT_SIZE = 11.0, 7.5


def _fit(text: str, width: float, font: str) -> str:
    """The text cut with an ellipsis to fit the width; measured only when it might not fit (a CJK character
    is at most one em), since measuring is what a long statement spends its time on."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if len(text) * FONT_SIZE <= width:
        return text
    if stringWidth(text, font, FONT_SIZE) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid] + "…", font, FONT_SIZE) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


class EntryRows(Flowable):
    """The month's entries as a ruled list drawn straight onto the canvas, one text object per page: a table of
    a thousand rows in platypus' Table costs seconds, this a fraction (bench/fund_verify.py). Long counterparties
    and notes are cut with an ellipsis (the online page has them whole). Splits across pages, header repeated."""

    def __init__(self, rows: list[tuple], font: str):
        super().__init__()
        self.rows, self.font = rows, font
        self.width = sum(w for _t, w, _r in COLUMNS)

    def wrap(self, avail_width, avail_height):
        self._fits = max(0, int(avail_height // ROW_H) - 1)
        return self.width, ROW_H * (1 + min(len(self.rows), self._fits))

    def split(self, avail_width, avail_height):
        fits = max(0, int(avail_height // ROW_H) - 1)
        if fits >= len(self.rows):
            return [self]
        if fits < 3:
            return []  # too little room left on this page: start on the next
        return [EntryRows(self.rows[:fits], self.font), EntryRows(self.rows[fits:], self.font)]

    def draw(self):
        from reportlab.lib import colors
        from reportlab.pdfbase.pdfmetrics import stringWidth

        c = self.canv
        n = len(self.rows)
        height = ROW_H * (n + 1)
        c.setFillColor(colors.HexColor(poster.ACCENT))
        c.rect(0, height - ROW_H, self.width, ROW_H, stroke=0, fill=1)
        c.setFillColor(colors.HexColor("#F3F3F3"))
        for i in range(1, n, 2):
            c.rect(0, height - ROW_H * (i + 2), self.width, ROW_H, stroke=0, fill=1)
        c.setStrokeColor(colors.HexColor("#BBBBBB"))
        c.setLineWidth(0.3)
        c.rect(0, 0, self.width, height, stroke=1, fill=0)
        header = c.beginText()
        header.setFont(self.font, FONT_SIZE)
        header.setFillColor(colors.white)
        x = 0.0
        for title, w, _right in COLUMNS:
            header.setTextOrigin(x + 2, height - ROW_H + 3)
            header.textOut(title)
            x += w
        c.drawText(header)
        t = c.beginText()
        t.setFont(self.font, FONT_SIZE)
        t.setFillColor(colors.black)
        for i, row in enumerate(self.rows):
            y = height - ROW_H * (i + 2) + 3
            x = 0.0
            for (_title, w, right), text in zip(COLUMNS, row, strict=True):
                if right:
                    t.setTextOrigin(x + w - 2 - stringWidth(text, self.font, FONT_SIZE), y)
                    t.textOut(text)
                elif text:
                    t.setTextOrigin(x + 2, y)
                    t.textOut(_fit(text, w - 4, self.font))
                x += w
        c.drawText(t)


def _font(font_path: str | None) -> str:
    try:
        return poster._pdf_font(poster._cjk_font_path(font_path))
    except poster.PosterFontMissing as e:
        raise AppError("poster_font_missing", str(e)) from None


def online_url(month: str) -> str:
    from ..notices.poster_routes import public_url

    return public_url("fund_pages.month", month=month)


def render(row: FundMonth, font_path: str | None = None, union_name: str | None = None) -> bytes:
    from flask import current_app
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font(font_path)
    union = union_name or current_app.config["UNION_NAME"]
    y, m = int(row.month[:4]), int(row.month[5:7])
    title = f"{y}年{m}月工会经费收支公开"
    h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=26, alignment=1)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=11, leading=16, spaceBefore=6, spaceAfter=4)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11, wordWrap="CJK")
    first, after = month_bounds(row.month)
    grid = [
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(poster.ACCENT)),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]

    url = online_url(row.month)
    qr = QrCodeWidget(url, barLevel="M")
    b = qr.getBounds()
    side = 30 * mm
    drawing = Drawing(side, side, transform=[side / (b[2] - b[0]), 0, 0, side / (b[3] - b[1]), 0, 0])
    drawing.add(qr)
    summary = Table([
        [Paragraph(f"本月收入：{services.fen_text(row.income_fen)} 元", h2), drawing],
        [Paragraph(f"本月支出：{services.fen_text(row.expense_fen)} 元", h2), ""],
        [Paragraph(f"收支差额：{services.fen_text(row.income_fen - row.expense_fen)} 元", h2), ""],
        [Paragraph(f"分录数：{row.entries_count}　公开时间："
                   f"{row.published_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}", small), ""],
    ], colWidths=[140 * mm, 36 * mm])
    summary.setStyle(TableStyle([("SPAN", (1, 0), (1, 3)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                 ("ALIGN", (1, 0), (1, 0), "CENTER")]))

    cats = [["类型", "科目编码", "科目", "金额（元）"]]
    cats += [[FundKind(kind).label, code, name, services.fen_text(total)]
             for code, name, kind, total in services.by_category(first, after)]
    cat_table = Table(cats, colWidths=[20 * mm, 22 * mm, 60 * mm, 36 * mm], repeatRows=1)
    cat_table.setStyle(TableStyle(grid + [("ALIGN", (3, 1), (3, -1), "RIGHT")]))

    names = services.category_names()
    rows = []
    for e in services.month_entries(row.month):
        note = e.note or ""
        if e.reverses:
            note = f"冲销第 {e.reverses} 号分录。{note}"
        rows.append((str(e.id), e.date.isoformat(), FundKind(e.kind).label, names.get(e.category, e.category),
                     services.fen_text(-e.amount_fen if e.reverses else e.amount_fen), e.counterparty, note))
    entries = EntryRows(rows, font)

    story = [Paragraph(union, h2), Paragraph(title, h1), Spacer(1, 3 * mm), summary, Paragraph("分科目汇总", h2),
             cat_table, Paragraph("收支明细（冲销分录以负数列示）", h2), entries, Spacer(1, 5 * mm),
             Paragraph(f"本月校验值（SHA-256）：{row.hash}", small),
             Paragraph(f"上月校验值：{row.prev_hash or '无（首个公开月份）'}", small),
             Paragraph(f"扫码或访问 {url} 查看线上版本；校验值一致即说明公开后账目未被改动。", small)]
    buf = io.BytesIO()
    printed = utcnow().astimezone(SHANGHAI)

    def footer(canvas, doc):
        canvas.setFont(font, 7)
        canvas.drawCentredString(A4[0] / 2, 9 * mm,
                                 f"{union} · {title} · 第 {doc.page} 页 · 打印于 {printed:%Y-%m-%d %H:%M}")

    from reportlab import rl_config

    # Binary (compressed) streams instead of ASCII85 text: reportlab's ASCII85 encoder is pure Python here and
    # was a tenth of a long statement's time. Both are valid PDF; whichever value a concurrent render sees, its
    # file is right.
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        SimpleDocTemplate(buf, pagesize=A4, title=title, author=union, leftMargin=14 * mm, rightMargin=14 * mm,
                          topMargin=14 * mm, bottomMargin=16 * mm, initialFontName=font, lang="zh-CN"
                          ).build(story, onFirstPage=footer, onLaterPages=footer)
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()
