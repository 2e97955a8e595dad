"""The award clock in the one scheduler (job ``award_notices``): when a notice period has ended, the staff
member who made the decision is told the award can be finalized. One conditional UPDATE … RETURNING claims the
awards, so each is told once, whatever runs twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from ..core.extensions import db, transaction
from ..core.timeutil import utcnow
from .models import Award, AwardStatus
from .services import PAGE, _tell


def tell_ended(now: datetime) -> int:
    rows = db.session.execute(
        update(Award).where(Award.status == AwardStatus.notice, Award.objection_closes_at <= now,
                            Award.close_told_at.is_(None))
        .values(close_told_at=now).returning(Award.id, Award.title, Award.decided_by)
        .execution_options(synchronize_session=False)).all()
    for r in rows:
        if r.decided_by:
            _tell({"member_ids": [r.decided_by]}, f"公示期已满：{r.title}",
                  f"“{r.title}”的公示期已结束，请查看异议并确定最终名单。", PAGE.format(id=r.id))
    return len(rows)


def run(now: datetime | None = None) -> int:
    """The scheduler's pass, one unit of work. Needs an app context."""
    with transaction():
        return tell_ended(now or utcnow())
