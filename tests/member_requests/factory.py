"""Requests made directly through the models, with clocks set as the API sets them (API.md "Clocks")."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from server.core.timeutil import utcnow
from server.member_requests.models import Request
from server.workdays.calendar import working_days_deadline

_seq = itertools.count(1)
RESOLVE_DAYS = {"hardship": 5}


def clocks(created: datetime, category: str, urgent: bool) -> tuple[datetime, datetime]:
    if urgent:  # the 48-hour channel, in calendar hours
        return created + timedelta(hours=24), created + timedelta(hours=48)
    return working_days_deadline(created, 1), working_days_deadline(created, RESOLVE_DAYS.get(category, 10))


def make_request(session, member, *, category="welfare", grid=None, created=None, urgent=False,
                 confidential=False, title=None, **kw) -> Request:
    created = created or utcnow()
    first_due, resolve_due = clocks(created, category, urgent)
    r = Request(member_id=member.id, category=category, title=title or f"诉求{next(_seq)}", content="内容",
                urgent=urgent, confidential=confidential, status=kw.pop("status", "submitted"),
                grid_id=(grid.id if grid is not None else member.grid_id), created_at=created,
                first_response_due_at=kw.pop("first_response_due_at", first_due),
                resolve_due_at=kw.pop("resolve_due_at", resolve_due), **kw)
    session.add(r)
    session.flush()
    return r
