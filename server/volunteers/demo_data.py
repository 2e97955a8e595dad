"""Demo volunteer hours: check-outs at the past volunteer events (most members, some late or early), an
adjustment with its reason, and a member who left the leaderboard. Idempotent: an event that has check-outs
is left alone, and the adjustment and the opt-out are found before they are made."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select

from ..core.extensions import db
from ..core.timeutil import utcnow
from ..events.models import Checkin, Event, EventKind
from ..members.models import Member
from . import hours
from .checkout import capped_minutes
from .models import VolunteerAdjustment, VolunteerCheckout

ADJUSTMENT_REASON = "现场签退时手机没电，经活动负责人确认补录"


def _member(employee_no: str):
    return db.session.scalar(select(Member).where(Member.employee_no == employee_no))


def load() -> int:
    """Returns the number of check-outs made."""
    made = 0
    events = db.session.scalars(select(Event).where(Event.kind == EventKind.volunteer, Event.ends_at < utcnow())
                                .where(~exists().where(VolunteerCheckout.event_id == Event.id))).all()
    for event in events:
        checkins = db.session.execute(select(Checkin.id, Checkin.member_id, Checkin.checked_in_at)
                                      .where(Checkin.event_id == event.id).order_by(Checkin.member_id)).all()
        rows = []
        for i, c in enumerate(checkins):
            if i % 7 == 6:
                continue  # forgot to check out: 0 hours until staff adjust
            out = event.ends_at + timedelta(minutes=(i % 5) * 10 - 20)
            rows.append({"event_id": event.id, "member_id": c.member_id, "checkin_id": c.id, "checked_out_at": out,
                         "minutes": capped_minutes(c.checked_in_at, out, event.starts_at, event.ends_at)})
        if rows:
            db.session.execute(VolunteerCheckout.__table__.insert(), rows)
            made += len(rows)
    staff, d10, d3 = _member("D0002"), _member("D0010"), _member("D0003")
    if staff and d10 and not db.session.scalar(select(exists().where(VolunteerAdjustment.member_id == d10.id))):
        walk = db.session.scalar(select(Event.id).where(Event.title == "春季健步走", Event.kind == EventKind.volunteer))
        hours.adjust(staff.id, d10.id, 60, ADJUSTMENT_REASON, walk)
    if d3 and not hours.is_opted_out(d3.id):
        hours.set_opt_out(d3.id, True)
    db.session.flush()
    return made
