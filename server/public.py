"""Public pages behind the QR codes on printed posters: readable in any phone's browser or scanner."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from .events.models import Event
from .extensions import db
from .notices.models import Notice, NoticeStatus
from .timeutil import SHANGHAI

bp = Blueprint("public", __name__)


@bp.get("/n/<int:notice_id>")
def notice(notice_id: int):
    """A notice that was posted on paper (only notices with the poster channel, once sent)."""
    n = db.session.get(Notice, notice_id)
    if n is None or "poster" not in n.channels or n.status not in (NoticeStatus.sending, NoticeStatus.sent):
        abort(404)
    return render_template("public/notice.html", notice=n, union=current_app.config["UNION_NAME"],
                           date=(n.planned_at or n.created_at).astimezone(SHANGHAI))


@bp.get("/e/<int:event_id>")
def event(event_id: int):
    """An event's public page: what, when, where, and how to sign up in the mini-program."""
    e = db.session.get(Event, event_id)
    if e is None:
        abort(404)
    return render_template("public/event.html", event=e, union=current_app.config["UNION_NAME"],
                           starts=e.starts_at.astimezone(SHANGHAI), ends=e.ends_at.astimezone(SHANGHAI))
