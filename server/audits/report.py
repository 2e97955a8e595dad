"""An audit as a printable A4 PDF: the checklist with figures and answers, then the findings (reportlab, CJK
font embedded as for the proposals' summary; without a font the route answers 503 poster_font_missing)."""
from __future__ import annotations

import io

from notifications import poster

from ..core.timeutil import SHANGHAI, utcnow
from ..improvements.models import ImprovementStatus
from ..proposals.summary import _font
from .models import AuditKind, AuditResult, AuditStatus
from .schemas import AuditOut


def render(audit: AuditOut, font_path: str | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font(font_path)
    name = f"{AuditKind(audit.kind).label} {audit.period}"
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=1)
    sub = ParagraphStyle("sub", fontName=font, fontSize=11, leading=16, alignment=1)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    small = ParagraphStyle("small", parent=cell, fontSize=7.5, leading=10, textColor=colors.HexColor("#555555"))
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    status = AuditStatus(audit.status).label
    closed = f"　结束于 {audit.closed_at.astimezone(SHANGHAI):%Y年%m月%d日}" if audit.closed_at else ""
    story = [Paragraph(name, title), Spacer(1, 3 * mm),
             Paragraph(f"状态：{status}{closed}　判定 {audit.answered}/{audit.items_count} 项，"
                       f"不符合 {audit.failed} 项", sub),
             Paragraph(f"打印时间：{utcnow().astimezone(SHANGHAI):%Y年%m月%d日 %H:%M}", sub), Spacer(1, 4 * mm),
             Paragraph("一、检查项目", h2)]

    def style(table):
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(poster.ACCENT)),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F6F6F6")]),
        ]))
        return table

    rows = [[Paragraph(h, head) for h in ("序号", "检查项目", "系统数据", "结论", "说明")]]
    for i in audit.items:
        figure = [Paragraph(i.figure or ("人工检查" if not i.automatic else "—"), cell)]
        if i.computation:
            figure.append(Paragraph(i.computation, small))
        rows.append([Paragraph(str(i.position), cell), Paragraph(i.label, cell), figure,
                     Paragraph(AuditResult(i.result).label if i.result else "未判定", cell),
                     Paragraph(i.note or "", cell)])
    story.append(style(Table(rows, colWidths=[10 * mm, 44 * mm, 64 * mm, 16 * mm, 48 * mm], repeatRows=1)))
    story.append(Paragraph("二、整改事项", h2))
    if audit.findings:
        rows = [[Paragraph(h, head) for h in ("编号", "整改事项", "负责人", "期限", "状态")]]
        for f in audit.findings:
            state = ImprovementStatus(f.status).label + ("（已逾期）" if f.overdue else "")
            rows.append([Paragraph(t, cell) for t in (f"{f.id}", f.title, f.owner.name, f.due_date, state)])
        story.append(style(Table(rows, colWidths=[14 * mm, 86 * mm, 28 * mm, 26 * mm, 28 * mm], repeatRows=1)))
    else:
        story.append(Paragraph("无。", cell))
    buf = io.BytesIO()

    def footer(canvas, doc):
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{name} · 第 {doc.page} 页")

    SimpleDocTemplate(buf, pagesize=A4, title=name, leftMargin=14 * mm, rightMargin=14 * mm,
                      topMargin=16 * mm, bottomMargin=18 * mm).build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
