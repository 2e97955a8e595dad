"""A request's clocks: fixed when it is raised (and the resolution clock again when it is reopened), stored.

Urgent requests (the 48-hour channel: 工伤, 家庭变故) count calendar hours: first response within 24 hours,
resolution within 48. The others count working days through the one working-day function: first response
within 1 working day, resolution within the category's working days (REQUEST_RESOLVE_WORKDAYS: default 10,
hardship 5). "Overdue" is one SQL expression, so a queue filters and orders by it in the database.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_

from ..workdays.calendar import working_days_deadline
from .models import OPEN_STATUSES, Request

URGENT_FIRST_RESPONSE = timedelta(hours=24)
URGENT_RESOLUTION = timedelta(hours=48)
FIRST_RESPONSE_WORKDAYS = 1


def resolve_workdays(category: str) -> int:
    table = current_app.config["REQUEST_RESOLVE_WORKDAYS"]
    return int(table.get(str(category), table["default"]))


def first_response_due(raised_at: datetime, urgent: bool) -> datetime:
    if urgent:
        return raised_at + URGENT_FIRST_RESPONSE
    return working_days_deadline(raised_at, FIRST_RESPONSE_WORKDAYS)


def resolve_due(start: datetime, category: str, urgent: bool) -> datetime:
    """The resolution deadline counted from ``start`` (the raising, or a reopening)."""
    if urgent:
        return start + URGENT_RESOLUTION
    return working_days_deadline(start, resolve_workdays(category))


def overdue_condition(now: datetime):
    """SQL: no first response past its due time, or still open past the resolution due time."""
    return or_(
        and_(Request.first_response_at.is_(None), Request.first_response_due_at < now),
        and_(Request.status.in_(OPEN_STATUSES), Request.resolve_due_at < now),
    )


def is_overdue(req: Request, now: datetime) -> bool:
    """The same as ``overdue_condition`` for one loaded row."""
    return bool((req.first_response_at is None and req.first_response_due_at < now)
                or (req.status in OPEN_STATUSES and req.resolve_due_at < now))
