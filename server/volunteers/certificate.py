"""A member's volunteer certificate (志愿服务证明) for one year: an A4 PDF (reportlab, the CJK font embedded as
in posters) with the year's events and hours, the total, the points and a QR code to a public check.

The check needs no database of issued certificates: the QR carries ``{member_id}.{year}.{minutes}.{mac}``,
an HMAC under a key of its own derived from QR_SECRET_KEY, so nobody can mint one; the public answer says
whether it is genuine and whether the year's hours are still what it states (a later adjustment changes them).
"""
from __future__ import annotations

import hashlib
import hmac
import io
import re
from dataclasses import dataclass

from flask import current_app

from ..core.config import secret_keys
from ..core.errors import AppError
from ..core.timeutil import SHANGHAI, utcnow
from ..events.checkin import _b64
from . import hours as volunteer_hours

_TOKEN = re.compile(r"(\d{1,12})\.(\d{4})\.(\d{1,9})\.([A-Za-z0-9_-]{22})")


def _mac(member_id: int, year: int, minutes: int, secret: str) -> str:
    key = hmac.new(secret.encode(), b"union-hub/volunteer-certificate/v1", hashlib.sha256).digest()
    return _b64(hmac.new(key, f"{member_id}:{year}:{minutes}".encode(), hashlib.sha256).digest())[:22]


def token(member_id: int, year: int, minutes: int) -> str:
    secret = secret_keys(current_app.config, "QR_SECRET_KEY")[0]
    return f"{member_id}.{year}.{minutes}.{_mac(member_id, year, minutes, secret)}"


@dataclass
class Verification:
    member_id: int
    year: int
    minutes: int


def check(code: str) -> tuple[Verification, str, bool]:
    """(what the certificate states, the member's masked name, whether the year's hours still are what it
    states). Raises 400 invalid_token, 404 not_found."""
    v = read_token(code)
    member = volunteer_hours.get_member(v.member_id)
    now = volunteer_hours.minutes_of([v.member_id], *volunteer_hours.year_bounds(v.year))[v.member_id]
    return v, member.name[:1] + "*" * (len(member.name) - 1), now == v.minutes


def read_token(text: str) -> Verification:
    """The certificate a token names. Raises 400 invalid_token (malformed or forged)."""
    m = _TOKEN.fullmatch(text)
    if m is None or any(str(int(g)) != g for g in m.groups()[:3]):
        raise AppError("invalid_token", "证明校验码无效")
    member_id, year, minutes = int(m[1]), int(m[2]), int(m[3])
    if not any(hmac.compare_digest(m[4], _mac(member_id, year, minutes, s))
               for s in secret_keys(current_app.config, "QR_SECRET_KEY")):
        raise AppError("invalid_token", "证明校验码无效")
    return Verification(member_id, year, minutes)


def verify_url(tok: str) -> str:
    from ..notices.poster_routes import public_url

    return public_url("volunteer_pages.certificate_page", code=tok)


def _font(font_path: str | None) -> str:
    from notifications import poster

    try:
        return poster._pdf_font(poster._cjk_font_path(font_path))
    except poster.PosterFontMissing as e:
        raise AppError("poster_font_missing", str(e)) from None


def _hm(minutes: int) -> str:
    return f"{minutes // 60} 小时 {minutes % 60} 分钟" if minutes % 60 else f"{minutes // 60} 小时"


def render(member, year: int) -> bytes:
    """The certificate for ``member``'s hours in ``year`` (calendar year, Asia/Shanghai)."""
    from reportlab import rl_config
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from notifications import poster

    font = _font(current_app.config.get("FONT_PATH"))
    union = current_app.config["UNION_NAME"]
    items = volunteer_hours.record(member.id, year)
    total = volunteer_hours.total_minutes(items)
    pts = volunteer_hours.points(total)
    tok = token(member.id, year, total)
    url = verify_url(tok)
    title = f"{year}年度志愿服务证明"

    h1 = ParagraphStyle("h1", fontName=font, fontSize=22, leading=30, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")

    dept = member.department.name if member.department else ""
    who = f"{member.name}（工号 {member.employee_no}{'，' + dept if dept else ''}）"
    events = [i for i in items if i.kind == "event"]
    statement = (f"兹证明 {who} 于 {year} 年参加本会组织的志愿服务活动 {sum(1 for e in events if e.minutes)} 次，"
                 f"累计志愿服务时长 {_hm(total)}（{volunteer_hours.hours(total)} 小时），获得志愿积分 {pts} 分。"
                 "特此证明。")

    rows = [["日期", "活动 / 调整", "签到", "签退", "时长（分钟）"]]
    for i in sorted(items, key=lambda i: i.at):
        local = i.at.astimezone(SHANGHAI)
        if i.kind == "event":
            rows.append([f"{local:%Y-%m-%d}", Paragraph(i.title or "", cell),
                         f"{i.checked_in_at.astimezone(SHANGHAI):%H:%M}" if i.checked_in_at else "",
                         f"{i.checked_out_at.astimezone(SHANGHAI):%H:%M}" if i.checked_out_at else "未签退",
                         str(i.minutes)])
        else:
            what = f"时长调整：{i.reason}" + (f"（{i.title}）" if i.title else "")
            rows.append([f"{local:%Y-%m-%d}", Paragraph(what, cell), "", "", f"{i.minutes:+d}"])
    rows.append(["", "合计", "", "", str(total)])
    table = Table(rows, colWidths=[24 * mm, 92 * mm, 18 * mm, 18 * mm, 26 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(poster.ACCENT)),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (4, 0), (4, -1), "RIGHT"),
    ]))

    qr = QrCodeWidget(url, barLevel="M")
    b = qr.getBounds()
    side = 30 * mm
    drawing = Drawing(side, side, transform=[side / (b[2] - b[0]), 0, 0, side / (b[3] - b[1]), 0, 0])
    drawing.add(qr)
    issued = utcnow().astimezone(SHANGHAI)
    sign = Table([[Paragraph(f"扫码核验本证明：{url}<br/>校验码：{tok}", small),
                   Paragraph(f"{union}<br/>{issued:%Y年%m月%d日}", h2), drawing]],
                 colWidths=[80 * mm, 60 * mm, 36 * mm])
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))

    story = [Spacer(1, 10 * mm), Paragraph(title, h1), Spacer(1, 6 * mm), Paragraph(statement, body),
             Paragraph("志愿服务明细", h2), table, Spacer(1, 10 * mm), sign]
    buf = io.BytesIO()
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        SimpleDocTemplate(buf, pagesize=A4, title=f"{member.name} {title}", author=union, leftMargin=16 * mm,
                          rightMargin=16 * mm, topMargin=16 * mm, bottomMargin=16 * mm, initialFontName=font,
                          lang="zh-CN").build(story)
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()
