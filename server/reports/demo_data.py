"""Demo for the effectiveness report: the demo roster dated from a year ago (as if kept since then, so earlier
quarters have members to count), the last complete quarter's report archived with its PDF and the committee
told, and an improvement item opened from a department's participation rate, due this quarter. Idempotent."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ..core.errors import AppError
from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..improvements import services as improvements
from ..improvements.models import Improvement
from ..members.models import Department, Member
from . import services
from .models import ArchivedReport
from .periods import Period

ITEM = "提升生产一部活动参与率"


def load() -> int:
    """Returns the number of reports archived (0 or 1)."""
    now = utcnow()
    year_ago = now - timedelta(days=365)
    db.session.execute(update(Member).where(Member.employee_no.like("D%"), Member.created_at > year_ago)
                       .values(created_at=year_ago).execution_options(synchronize_session=False))
    staff = db.session.scalar(select(Member).where(Member.employee_no == "D0002"))
    head = db.session.scalar(select(Member).where(Member.employee_no == "D0003"))
    dept = db.session.scalar(select(Department.id).where(Department.name == "生产一部"))
    quarter = Period.containing(now.astimezone(SHANGHAI).date())
    if staff and head and dept and not db.session.scalar(select(Improvement.id).where(Improvement.title == ITEM)):
        improvements.create(staff.id, title=ITEM, owner_id=head.id, due_date=quarter.end, source="report",
                            figure=f"participation.by_department:{dept}:rate", target=0.7, notify=False,
                            description="上季度效能报告显示生产一部参与率偏低，计划增加夜班场次。")
    last = quarter.previous()
    if db.session.scalar(select(ArchivedReport.id).where(ArchivedReport.period == last.key)):
        return 0
    try:
        return 1 if services.archive(last, now=now) else 0
    except AppError as e:
        if e.code != "poster_font_missing":  # no CJK font: the demo goes on without an archived report
            raise
        return 0
