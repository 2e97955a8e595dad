"""Reads for output: which events a member sees, pages of events and registrations, audiences."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, func, select

from ..core import audiences as audiences_
from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Department, Grid, Member
from .lifecycle import get_event
from .models import Checkin, Event, EventAudience, Registration, RegistrationStatus


def audience_filter(member: Member):
    """SQL condition on Event: the member is in the event's audience (empty audience means everyone)."""
    return audiences_.admits(EventAudience, EventAudience.event_id, Event.id, *audiences_.member_values(member))


def is_eligible(member: Member, event: Event) -> bool:
    return bool(db.session.scalar(select(exists().where(Event.id == event.id, audience_filter(member)))))


def list_events(member: Member, *, start: datetime | None, end: datetime | None, kind: str | None,
                page: int, per_page: int, everything: bool = False, when: str | None = None
                ) -> tuple[list[Event], int]:
    """A page of events; ``when`` "upcoming" (not over, soonest first) or "past" (over, latest first)."""
    conds = []
    order = [Event.starts_at, Event.id]
    if when == "upcoming":
        conds.append(Event.ends_at > utcnow())
    elif when == "past":
        conds.append(Event.ends_at <= utcnow())
        order = [Event.starts_at.desc(), Event.id.desc()]
    if not everything:
        conds.append(audience_filter(member))
    if start:
        conds.append(Event.ends_at >= start)
    if end:
        conds.append(Event.starts_at < end)
    if kind:
        conds.append(Event.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(Event).where(*conds))
    events = db.session.scalars(
        select(Event).where(*conds).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(events), total or 0


def audiences(event_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """Audience names per event, for output; one query per kind."""
    return audiences_.names(EventAudience, EventAudience.event_id, event_ids)


def checkin_times(member_id: int, event_ids: Iterable[int]) -> dict[int, datetime]:
    """{event id: when the member checked in} for those of the events they checked in to; one statement."""
    ids = list(event_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Checkin.event_id, Checkin.checked_in_at).where(Checkin.member_id == member_id, Checkin.event_id.in_(ids))
    ).all())


def active_registrations(member_id: int, event_ids: Iterable[int]) -> dict[int, Registration]:
    """{event id: the member's registration} for the events they are signed up for or waiting on; one
    statement."""
    ids = list(event_ids)
    if not ids:
        return {}
    regs = db.session.scalars(
        select(Registration).where(Registration.event_id.in_(ids), Registration.member_id == member_id)
    ).all()
    return {r.event_id: r for r in regs if r.status != RegistrationStatus.cancelled}


def my_registrations(member: Member, page: int, per_page: int) -> tuple[list[tuple[Registration, Event]], int]:
    cond = (Registration.member_id == member.id)
    total = db.session.scalar(select(func.count()).select_from(Registration).where(cond)) or 0
    rows = db.session.execute(
        select(Registration, Event).join(Event, Event.id == Registration.event_id).where(cond)
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [(r, e) for r, e in rows], total


def roster(event_id: int, status: str | None = None, page: int | None = None, per_page: int | None = None):
    """Registrations of an event with member details, in sign-up order; all rows when page is None."""
    get_event(event_id)
    conds = [Registration.event_id == event_id]
    if status:
        conds.append(Registration.status == status)
    total = db.session.scalar(select(func.count()).select_from(Registration).where(*conds)) or 0
    stmt = (
        select(Registration, Member, Department.name.label("department"), Grid.name.label("grid"),
               Checkin.checked_in_at)
        .join(Member, Member.id == Registration.member_id)
        .outerjoin(Department, Department.id == Member.department_id)
        .outerjoin(Grid, Grid.id == Member.grid_id)
        .outerjoin(Checkin, and_(Checkin.event_id == Registration.event_id,
                                 Checkin.member_id == Registration.member_id))
        .where(*conds)
        .order_by(
            # confirmed first, then the waiting list in order, then cancelled
            (Registration.status == RegistrationStatus.cancelled), Registration.waitlist_seq.is_not(None),
            Registration.waitlist_seq, Registration.created_at, Registration.id)
    )
    if page is not None:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    return db.session.execute(stmt).all(), total
