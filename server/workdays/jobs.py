"""The weekly warning to admins while a year's schedule is missing (scheduler job ``workdays``).

Once per ISO week (Asia/Shanghai), from Monday 09:00: the run that inserts the week's row in
``workday_warnings`` writes the notice in the same transaction; any other run that week, in this scheduler
or another, finds the row and does nothing. Nothing is sent in a week when no year is missing.
"""
from __future__ import annotations

import logging
from datetime import datetime, time

from sqlalchemy import func, select

from ..core.extensions import db, transaction
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..notices import services as notices
from .models import WorkdayWarning
from .services import _upsert, warning_text, years_to_warn

log = logging.getLogger(__name__)
SEND_FROM = time(9, 0)  # local time on Monday; a week's first run after it sends


def _week_key(local: datetime) -> str:
    iso = local.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def admin_ids() -> list[int]:
    # Roles are a small JSON list; the quoted name cannot occur inside another role's name.
    return list(db.session.scalars(select(Member.id).where(
        Member.is_active.is_(True), func.cast(Member.roles, db.String).like('%"admin"%')).order_by(Member.id)))


def warn_admins(now: datetime | None = None) -> dict | None:
    """Send this week's warning if it is due and not yet sent; the caller's transaction holds it."""
    local = (now or utcnow()).astimezone(SHANGHAI)
    if local.weekday() == 0 and local.time() < SEND_FROM:
        return None
    years = years_to_warn(local.date())
    if not years:
        return None
    week = _week_key(local)
    claimed = db.session.execute(
        _upsert()(WorkdayWarning).values(week=week, years=",".join(map(str, years)), warned_at=utcnow())
        .on_conflict_do_nothing(index_elements=[WorkdayWarning.week]).returning(WorkdayWarning.week)).scalar()
    if claimed is None:
        return None
    admins = admin_ids()
    notice_id = None
    if admins:
        notice = notices.create_notice(
            None, title="工作日历未录入：" + "、".join(f"{y} 年" for y in years), body=warning_text(years),
            channels=["push"], audience={"member_ids": admins}, sms_fallback=True, source="system")
        notices.send_notice(notice.id)
        notice_id = notice.id
        db.session.execute(WorkdayWarning.__table__.update().where(WorkdayWarning.week == week)
                           .values(notice_id=notice_id))
    log.info("workday calendar: %s unknown; week %s warned, notice %s to %d admins", years, week, notice_id,
             len(admins))
    return {"week": week, "years": years, "notice_id": notice_id, "admins": len(admins)}


def run(now: datetime | None = None) -> dict | None:
    """The scheduler's unit of work, in its own transaction."""
    with transaction():
        return warn_admins(now)
