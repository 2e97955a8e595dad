"""The waiting list: promotion into freed seats, in arrival order, and members' positions on it."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import aliased

from ..core.extensions import db
from ..core.timeutil import utcnow
from .models import Event, Registration, RegistrationStatus
from .signals import registration_promoted

log = logging.getLogger(__name__)


def fill_seats(event: Event) -> list[int]:
    """Confirm waiting-list entries in arrival order while seats are free. Caller holds the lock."""
    return promote_waitlists([event]).get(event.id, [])


def promote_waitlists(events: list[Event]) -> dict[int, list[int]]:
    """For each event, confirm waiting-list entries in arrival order while seats are free, in one read
    and one update for all of them; each event's promoted members are announced through
    ``registration_promoted``. The caller holds the events' locks. Returns {event_id: member_ids}."""
    free = {}
    for e in events:
        if e.waitlist_count > 0 and (e.capacity is None or e.capacity > e.confirmed_count):
            free[e.id] = e.waitlist_count if e.capacity is None else min(e.capacity - e.confirmed_count,
                                                                         e.waitlist_count)
    if not free:
        return {}
    ranked = select(
        Registration.id, Registration.event_id, Registration.member_id,
        func.row_number().over(partition_by=Registration.event_id, order_by=Registration.waitlist_seq).label("n"),
    ).where(Registration.event_id.in_(list(free)), Registration.status == RegistrationStatus.waitlisted).subquery()
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.event_id, ranked.c.member_id)
        .where(ranked.c.n <= case(free, value=ranked.c.event_id, else_=0))
        .order_by(ranked.c.event_id, ranked.c.n)
    ).all()
    if not rows:
        return {}
    now = utcnow()
    db.session.execute(
        update(Registration).where(Registration.id.in_([r.id for r in rows]))
        .values(status=RegistrationStatus.confirmed, waitlist_seq=None, confirmed_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    promoted: dict[int, list[int]] = {}
    for r in rows:
        promoted.setdefault(r.event_id, []).append(r.member_id)
    by_id = {e.id: e for e in events}
    for event_id, member_ids in promoted.items():
        by_id[event_id].confirmed_count += len(member_ids)
        by_id[event_id].waitlist_count -= len(member_ids)
    db.session.flush()
    for event_id, member_ids in promoted.items():
        log.info("event %s: %d promoted from the waiting list", event_id, len(member_ids))
        registration_promoted.send(by_id[event_id], member_ids=member_ids)
    return promoted


def waitlist_positions(event_id: int, seqs: Iterable[int]) -> dict[int, int]:
    """Current 1-based position on the waiting list for each given sequence number."""
    seqs = [s for s in seqs if s is not None]
    if not seqs:
        return {}
    lowest = min(seqs)
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.waitlisted,
               Registration.waitlist_seq < lowest)
    ) or 0
    ordered = db.session.scalars(
        select(Registration.waitlist_seq)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.waitlisted,
               Registration.waitlist_seq >= lowest, Registration.waitlist_seq <= max(seqs))
        .order_by(Registration.waitlist_seq)
    ).all()
    wanted = set(seqs)
    return {s: ahead + i + 1 for i, s in enumerate(ordered) if s in wanted}


def positions_of(registrations: Iterable[Registration]) -> dict[int, int]:
    """{registration id: 1-based position on its event's waiting list} for the waiting ones among the
    registrations, whatever their events: one statement (those still waiting up to and including each)."""
    ids = [r.id for r in registrations if r.waitlist_seq is not None]
    if not ids:
        return {}
    ahead = aliased(Registration)
    return dict(db.session.execute(
        select(Registration.id, func.count(ahead.id))
        .join(ahead, and_(ahead.event_id == Registration.event_id, ahead.status == RegistrationStatus.waitlisted,
                          ahead.waitlist_seq <= Registration.waitlist_seq))
        .where(Registration.id.in_(ids))
        .group_by(Registration.id)
    ).all())
