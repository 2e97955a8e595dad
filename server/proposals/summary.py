"""The session's printable A4 summary: a cover, then a table of its proposals (reportlab, CJK font embedded).

The font is found and checked as the posters' is (notifications/poster.py: FONT_PATH, else WenQuanYi Micro
Hei, face 0 of the .ttc); without one the route answers 503 poster_font_missing rather than print boxes.
"""
from __future__ import annotations

import io

from notifications import poster

from ..core.errors import AppError
from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from .models import CongressSession, Proposal, ProposalGrade, ProposalStatus


def _font(font_path: str | None) -> str:
    try:
        return poster._pdf_font(poster._cjk_font_path(font_path))
    except poster.PosterFontMissing as e:
        raise AppError("poster_font_missing", str(e)) from None


def render(session: CongressSession, proposals: list[Proposal], font_path: str | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font(font_path)
    names = dict(db.session.query(Member.id, Member.name).filter(
        Member.id.in_({p.member_id for p in proposals})).all()) if proposals else {}
    title = ParagraphStyle("title", fontName=font, fontSize=26, leading=36, alignment=1)
    sub = ParagraphStyle("sub", fontName=font, fontSize=13, leading=20, alignment=1)
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    closes = session.closes_at.astimezone(SHANGHAI)
    story = [Spacer(1, 70 * mm), Paragraph(session.name, title), Spacer(1, 10 * mm),
             Paragraph("职工代表大会提案汇总", sub), Spacer(1, 6 * mm),
             Paragraph(f"提案征集截止：{closes:%Y年%m月%d日 %H:%M}　共 {len(proposals)} 件提案", sub),
             Paragraph(f"生成时间：{utcnow().astimezone(SHANGHAI):%Y年%m月%d日 %H:%M}", sub), PageBreak()]
    rows = [[Paragraph(h, head) for h in ("编号", "标题", "提案人", "牵头部门", "状态", "办理期限", "等级")]]
    for p in proposals:
        rows.append([Paragraph(t, cell) for t in (
            f"{p.id:04d}", p.title, "保密" if p.confidential else names.get(p.member_id, ""),
            p.lead_department or "—", ProposalStatus(p.status).label,
            p.due_date.isoformat() if p.due_date else "—",
            f"{p.grade} {ProposalGrade(p.grade).label}" if p.grade else "—")])
    table = Table(rows, colWidths=[16 * mm, 58 * mm, 22 * mm, 28 * mm, 20 * mm, 22 * mm, 16 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(poster.ACCENT)),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F6F6F6")]),
    ]))
    story.append(table)
    buf = io.BytesIO()

    def footer(canvas, doc):
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{session.name} · 第 {doc.page} 页")

    SimpleDocTemplate(buf, pagesize=A4, title=session.name, leftMargin=14 * mm, rightMargin=14 * mm,
                      topMargin=16 * mm, bottomMargin=18 * mm).build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
