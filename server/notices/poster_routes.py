"""Printable posters of notices and events, with a QR code back to them."""
from __future__ import annotations

from flask import Response, current_app, url_for

from notifications import poster

from ..core.api import api
from ..core.errors import AppError
from ..core.timeutil import SHANGHAI, utcnow
from ..events import lifecycle
from . import bp, services
from .schemas import PosterQuery

WEEKDAYS = "一二三四五六日"


def _date(dt) -> str:
    local = dt.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 周{WEEKDAYS[local.weekday()]}"


def public_url(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _render(content: poster.PosterContent, fmt: str, filename: str) -> Response:
    font = current_app.config.get("FONT_PATH")
    try:
        if fmt == "pdf":
            body, mime = poster.render_pdf(content, font_path=font), "application/pdf"
        else:
            body, mime = poster.render_png(content, font_path=font), "image/png"
    except poster.PosterFontMissing as e:
        # A set-up fault, not the client's: say what to install rather than print boxes.
        raise AppError("poster_font_missing", str(e)) from None
    resp = Response(body, mimetype=mime)
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    return resp


@bp.get("/notices/<int:notice_id>/poster", endpoint="poster")
@api(roles=["staff"], query=PosterQuery, produces=["image/png", "application/pdf"],
     errors=["not_found", "poster_font_missing"])
def poster_view(notice_id: int, query: PosterQuery):
    """The notice as an A4 poster (PNG or print-ready PDF) with a QR code that opens it."""
    n = services.get_notice(notice_id)
    content = poster.PosterContent(
        union_name=current_app.config["UNION_NAME"], title=n.title, body=n.body,
        date_text=_date(n.planned_at or n.send_at or n.created_at), qr_text=public_url("public.notice", notice_id=n.id),
        footer=f"{current_app.config['UNION_NAME']} · 扫码在手机上阅读全文", kind_label="通知")
    return _render(content, query.format, f"notice-{n.id}")


@bp.get("/events/<int:event_id>/poster")
@api(roles=["staff"], query=PosterQuery, produces=["image/png", "application/pdf"],
     errors=["not_found", "poster_font_missing"])
def event_poster(event_id: int, query: PosterQuery):
    """The event as an A4 poster with the sign-up QR code."""
    e = lifecycle.get_event(event_id)
    start, end = e.starts_at.astimezone(SHANGHAI), e.ends_at.astimezone(SHANGHAI)
    time_text = f"{_date(start)} {start:%H:%M}–{end:%H:%M}" if start.date() == end.date() \
        else f"{_date(start)} {start:%H:%M} 至 {_date(end)} {end:%H:%M}"
    content = poster.PosterContent(
        union_name=current_app.config["UNION_NAME"], title=e.title, body=e.description or "欢迎广大会员踊跃报名参加。",
        date_text=_date(utcnow()), qr_text=public_url("public.event", event_id=e.id), place=e.location,
        time_text=time_text, footer="扫码报名 · 名额有限，先到先得" if e.capacity else "扫码报名",
        kind_label="活动")
    return _render(content, query.format, f"event-{e.id}")
