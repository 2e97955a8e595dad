"""Public pages behind the QR codes on printed posters: readable in any phone's browser or scanner.

Anyone may open them, so an event open to some members only (an audience is set) shows nothing but that
fact and where members find it; a cancelled event says so. Whoever scans a code that leads nowhere (a
notice not sent yet, an id that does not exist) gets a page in Chinese saying so, with 404, never JSON:
the QR code may be printed before the notice goes out.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, current_app, g, render_template
from sqlalchemy import exists, select

from .core.extensions import db
from .core.timeutil import SHANGHAI
from .events.models import Event, EventAudience, EventStatus
from .notices.models import Notice, NoticeStatus

bp = Blueprint("public", __name__)


@bp.get("/n/<int:notice_id>")
def notice(notice_id: int):
    """A notice that was posted on paper (only notices with the poster channel, once sent)."""
    n = db.session.get(Notice, notice_id)
    if n is None or "poster" not in n.channels:
        return _missing("通知不存在", "没有找到这条通知，请核对海报上的二维码。")
    if n.status not in (NoticeStatus.sending, NoticeStatus.sent):
        # A draft or scheduled notice: nothing of it is public yet, not even its title.
        return _missing("通知尚未发布", "这条通知还没有发布，发布后扫描海报上的二维码即可查看全文。")
    return render_template("public/notice.html", notice=n, union=current_app.config["UNION_NAME"],
                           date=(n.planned_at or n.created_at).astimezone(SHANGHAI), nonce=_style_nonce())


@bp.get("/e/<int:event_id>")
def event(event_id: int):
    """An event's public page: what, when, where, and how to sign up in the mini-program; for an event
    open to some members only, none of that."""
    e = db.session.get(Event, event_id)
    if e is None:
        return _missing("活动不存在", "没有找到这个活动，请核对海报上的二维码。")
    restricted = db.session.scalar(select(exists().where(EventAudience.event_id == e.id)))
    return render_template("public/event.html", event=e, union=current_app.config["UNION_NAME"],
                           restricted=restricted, cancelled=e.status == EventStatus.cancelled,
                           starts=e.starts_at.astimezone(SHANGHAI), ends=e.ends_at.astimezone(SHANGHAI),
                           nonce=_style_nonce())


def _missing(title: str, text: str):
    page = render_template("public/missing.html", title=title, text=text, union=current_app.config["UNION_NAME"],
                           nonce=_style_nonce())
    # Not cached: the same address works once the notice is sent.
    return page, 404, {"Cache-Control": "no-store"}


def _style_nonce() -> str:
    g.style_nonce = secrets.token_urlsafe(16)
    return g.style_nonce


@bp.after_request
def _content_security_policy(resp):
    # The pages' only active content is their own inline style sheet, allowed by a fresh nonce.
    nonce = g.pop("style_nonce", None)
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    resp.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'none'; style-src {style}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return resp
