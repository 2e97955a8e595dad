"""The scheduler's part: after a quarter ends, its report is archived with the PDF and the committee told."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select

from ..core.extensions import db, transaction
from ..core.timeutil import SHANGHAI, utcnow
from . import services
from .models import ArchivedReport
from .periods import Period

# Late entries of the quarter's last evening (a request resolved at 23:50) are in by the next morning.
GENERATE_AT = time(8, 0)
# A scheduler down for longer than this catches up on the last quarter only, not on years of history.
CATCH_UP_DAYS = 45


def due(now: datetime) -> list[Period]:
    """The periods whose report should exist by now and may not: the last complete quarter, and its year
    after a fourth quarter."""
    local = now.astimezone(SHANGHAI)
    quarter = Period.containing(local.date())
    if local.time() < GENERATE_AT and local.date() == quarter.start:
        quarter = quarter.previous()  # before 08:00 on the first day: the quarter before is not yet due
    last = quarter.previous()
    if (local.date() - quarter.start).days > CATCH_UP_DAYS:
        return []
    periods = [last]
    if last.quarter == 4:
        periods.append(Period(last.year, None))
    return periods


def run(now: datetime | None = None) -> list[str]:
    """Archive what is due and missing, each period in its own transaction; the keys made. The archive's
    unique period decides a race; the read first keeps the half-hourly runs from computing a report at all."""
    now = now or utcnow()
    made = []
    for period in due(now):
        with transaction():
            if db.session.scalar(select(ArchivedReport.id).where(ArchivedReport.period == period.key)):
                continue
            if services.archive(period, now=now) is not None:
                made.append(period.key)
    return made
