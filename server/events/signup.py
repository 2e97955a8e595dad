"""Sign-up and cancellation.

Seats are taken under the event's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serialises writers), backed by the unique ``(event_id, member_id)`` constraint
and the ``confirmed_count <= capacity`` CHECK, so a rush of sign-ups can never overbook.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, case, exists, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from ..core import audiences as audiences_
from ..core.errors import AppError
from ..core.extensions import db, ordinary_transaction, savepoint, statement_per_transaction
from ..core.timeutil import UTCDateTime, to_local_iso, utcnow
from ..members.auth import member_confirmed
from ..members.models import Member
from .lifecycle import get_event, not_found
from .models import Checkin, Event, EventAudience, EventStatus, Registration, RegistrationStatus
from .waitlist import fill_seats


def signup_window(event: Event) -> tuple[datetime | None, datetime]:
    return event.signup_opens_at, event.signup_closes_at or event.starts_at


def _active_registration(event_id: int, member_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.member_id == member_id)
        .execution_options(populate_existing=True)
    )


# Built once with bind parameters: building the audience expression and its cache key per call cost
# more than running it. One read before the lock: the member is on the roster, the event exists, the
# member may sign up, and any registration they already have.
_SIGNUP_READ = (
    select(Member.is_active, Member.token_version, Event.id, audiences_.admits(
        EventAudience, EventAudience.event_id, Event.id, *audiences_.member_columns(bindparam("member_id")),
    ).label("eligible"), Registration)
    .select_from(Member)
    .outerjoin(Event, Event.id == bindparam("event_id"))
    .outerjoin(Registration, and_(Registration.event_id == Event.id, Registration.member_id == Member.id))
    .where(Member.id == bindparam("member_id"))
    .execution_options(populate_existing=True)
)

# PostgreSQL: lock the event and take a seat (or the next waiting-list number) in one statement; no
# row comes back when sign-up is not possible (cancelled, outside the window, full without a waiting
# list), and the caller then reads the reason. ``old`` is the locked, current row.
_old = select(Event.id, Event.capacity, Event.confirmed_count, Event.waitlist_count, Event.waitlist_seq) \
    .where(Event.id == bindparam("event_id")).with_for_update().cte("old")
_seat = or_(_old.c.capacity.is_(None), _old.c.confirmed_count < _old.c.capacity)
_one_if = lambda cond: case((cond, 1), else_=0)  # noqa: E731
_TAKE_PLACE = (
    update(Event.__table__)
    .where(Event.id == _old.c.id, Event.status == EventStatus.published,
           or_(Event.signup_opens_at.is_(None), Event.signup_opens_at <= bindparam("now")),
           func.coalesce(Event.signup_closes_at, Event.starts_at) > bindparam("now"),
           or_(_seat, Event.waitlist.is_(True)))
    .values(confirmed_count=_old.c.confirmed_count + _one_if(_seat),
            waitlist_count=_old.c.waitlist_count + _one_if(~_seat),
            waitlist_seq=_old.c.waitlist_seq + _one_if(~_seat))
    .returning(_seat.label("seat"), Event.waitlist_count, Event.waitlist_seq)
)
# The common case, a first sign-up, in one statement: lock, take the place, insert the registration
# (a second device's row already there fails the whole statement on the unique constraint).
#
# The member's row is locked (shared) before the event's: a deactivation, which updates that row first,
# either waits for this sign-up and then releases it, or makes it wait and leaves no active member here.
_SIGN_UP_PG = text("""
WITH m AS MATERIALIZED (
    SELECT id FROM members WHERE id = :member_id AND is_active FOR SHARE
), old AS (
    SELECT e.id, e.confirmed_count, e.waitlist_count, e.waitlist_seq,
           (e.capacity IS NULL OR e.confirmed_count < e.capacity) AS seat
    FROM events e JOIN m ON true WHERE e.id = :event_id FOR UPDATE OF e
), took AS (
    UPDATE events e SET
        confirmed_count = old.confirmed_count + CASE WHEN old.seat THEN 1 ELSE 0 END,
        waitlist_count = old.waitlist_count + CASE WHEN old.seat THEN 0 ELSE 1 END,
        waitlist_seq = old.waitlist_seq + CASE WHEN old.seat THEN 0 ELSE 1 END,
        updated_at = :now
    FROM old
    WHERE e.id = old.id AND e.status = 'published'
      AND (e.signup_opens_at IS NULL OR e.signup_opens_at <= :now)
      AND COALESCE(e.signup_closes_at, e.starts_at) > :now
      AND (old.seat OR e.waitlist)
    RETURNING old.seat, e.waitlist_count, e.waitlist_seq
), ins AS (
    INSERT INTO registrations (event_id, member_id, status, waitlist_seq, created_at, confirmed_at)
    SELECT :event_id, :member_id, CASE WHEN seat THEN 'confirmed' ELSE 'waitlisted' END,
           CASE WHEN seat THEN NULL ELSE waitlist_seq END, :now, CASE WHEN seat THEN :now END
    FROM took
    RETURNING id
)
SELECT took.seat, took.waitlist_count, took.waitlist_seq, ins.id FROM took CROSS JOIN ins
""").bindparams(bindparam("now", type_=UTCDateTime()))


_MEMBER_SHARED = select(Member.id).where(Member.id == bindparam("member_id"), Member.is_active.is_(True)) \
    .with_for_update(read=True)


def register(member_id: int, event_id: int) -> tuple[Registration, bool, int | None]:
    """Sign the member up: confirmed while seats last, then on the waiting list in arrival order.

    Returns (registration, created, waiting-list position when just added to it). Signing up again
    returns the same registration, created=False. Raises 401 unauthenticated (the member left the
    roster), 404 not_found, 403 not_eligible, 409 event_cancelled / signup_closed / event_full.
    """
    postgresql = db.engine.dialect.name == "postgresql"
    # The read and a first sign-up are one statement each, so neither needs a transaction.
    own_statements = postgresql and statement_per_transaction()
    row = db.session.execute(_SIGNUP_READ, {"event_id": event_id, "member_id": member_id}).first()
    member_confirmed(row is not None and row.is_active, row.token_version if row is not None else None)
    if row.id is None:
        raise not_found()
    existing = row.Registration
    if existing is not None and existing.status != RegistrationStatus.cancelled:
        return existing, False, None
    if not row.eligible:
        # Closed or cancelled events say so first, as they always have.
        _check_can_sign_up(get_event(event_id))
        raise AppError("not_eligible")
    if postgresql:
        return _register_pg(member_id, event_id, existing, own_statements)
    return _register_portable(member_id, event_id)


def _register_pg(member_id: int, event_id: int, existing: Registration | None,
                 own_statements: bool) -> tuple[Registration, bool, int | None]:
    """One statement under the event's row lock (two after a cancellation), then the caller commits."""
    now = utcnow()
    if existing is not None:  # signing up again after cancelling: two writes, so one transaction from here
        existing_id = existing.id
        if own_statements:
            ordinary_transaction()
    try:
        # Under statement_per_transaction() a first sign-up is one statement, its own transaction.
        with savepoint():
            if existing is None:
                took = db.session.execute(_SIGN_UP_PG, {"event_id": event_id, "member_id": member_id,
                                                        "now": now}).first()
                reg_id = took.id if took is not None else None
            else:
                # As in _SIGN_UP_PG: the member's row before the event's, and still on the roster.
                took = None
                if db.session.execute(_MEMBER_SHARED, {"member_id": member_id}).first() is not None:
                    took = db.session.execute(_TAKE_PLACE, {"event_id": event_id, "now": now}).first()
                reg_id = None
                if took is not None:
                    reg_id = db.session.execute(
                        update(Registration.__table__)
                        .where(Registration.id == existing_id, Registration.status == RegistrationStatus.cancelled)
                        .values(status=RegistrationStatus.confirmed if took.seat else RegistrationStatus.waitlisted,
                                waitlist_seq=None if took.seat else took.waitlist_seq, created_at=now,
                                confirmed_at=now if took.seat else None, cancelled_at=None)
                        .returning(Registration.__table__.c.id)).scalar()
                    if reg_id is None:  # another device signed up again first
                        raise IntegrityError("re-sign-up", None, Exception("already signed up again"))
    except IntegrityError:
        # The same member from a second device got in first: theirs stands, our place goes back
        # (with the savepoint; the request's transaction goes on).
        again = _active_registration(event_id, member_id)
        if again is None:
            raise
        return again, False, None
    if took is None:
        # A deactivation may have committed while this request waited for the member's row.
        now_member = db.session.execute(
            select(Member.is_active, Member.token_version).where(Member.id == member_id)).first()
        member_confirmed(now_member is not None and now_member.is_active,
                         now_member.token_version if now_member is not None else None)
        _check_can_sign_up(get_event(event_id, lock=True))
        raise AppError("event_full")
    reg = Registration(
        id=reg_id, event_id=event_id, member_id=member_id,
        status=RegistrationStatus.confirmed if took.seat else RegistrationStatus.waitlisted,
        waitlist_seq=None if took.seat else took.waitlist_seq, created_at=now,
        confirmed_at=now if took.seat else None, cancelled_at=None)
    # The newest entry is last on the waiting list, and the count is exact under the lock.
    return reg, True, None if took.seat else took.waitlist_count


def _register_portable(member_id: int, event_id: int) -> tuple[Registration, bool, int | None]:
    # From here the event row is locked until commit (SQLite: BEGIN IMMEDIATE already serialises
    # writers): counters and the waiting-list order are ours.
    event = get_event(event_id, lock=True)
    _check_can_sign_up(event)
    existing = _active_registration(event_id, member_id)
    if existing is not None and existing.status != RegistrationStatus.cancelled:
        return existing, False, None

    now = utcnow()
    try:
        # The counters too: a conflict undoes the place taken with the registration.
        with savepoint():
            if event.capacity is None or event.confirmed_count < event.capacity:
                status, seq = RegistrationStatus.confirmed, None
                event.confirmed_count += 1
            elif event.waitlist:
                event.waitlist_seq += 1
                event.waitlist_count += 1
                status, seq = RegistrationStatus.waitlisted, event.waitlist_seq
            else:
                raise AppError("event_full")
            reg = existing or Registration(event_id=event_id, member_id=member_id)
            reg.status, reg.waitlist_seq, reg.created_at = status, seq, now
            reg.confirmed_at = now if status == RegistrationStatus.confirmed else None
            reg.cancelled_at = None
            if existing is None:
                db.session.add(reg)
            db.session.flush()
    except IntegrityError:
        # The same member from a second device got in first (only possible where no row lock exists).
        again = _active_registration(event_id, member_id)
        if again is None:
            raise
        return again, False, None
    # The newest entry is last on the list, and the count is exact under the lock.
    return reg, True, None if seq is None else event.waitlist_count


def _check_can_sign_up(event: Event) -> None:
    if event.status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    opens, closes = signup_window(event)
    now = utcnow()
    if opens and now < opens:
        raise AppError("signup_closed", "报名尚未开始", details={"signup_opens_at": to_local_iso(opens)})
    if now >= closes:
        raise AppError("signup_closed", "报名已截止", details={"signup_closes_at": to_local_iso(closes)})


def already_checked_in() -> AppError:
    return AppError("already_checked_in")


def _has_checked_in(event_id: int, member_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Checkin.event_id == event_id, Checkin.member_id == member_id))))


def cancel_registration(member: Member, event_id: int) -> tuple[Registration, list[int]]:
    """Cancel the member's sign-up; a freed seat goes to the first on the waiting list at once.

    Returns the registration and the promoted member ids. Raises 404 not_found,
    409 event_started (the event has begun), 409 already_checked_in (the seat was used: it is not
    handed on, and nothing changes).
    """
    event = get_event(event_id, lock=True)
    reg = _active_registration(event_id, member.id)
    if reg is None or reg.status == RegistrationStatus.cancelled:
        raise AppError("not_found", "您没有报名该活动")
    # Read after the event's lock: a check-in takes that lock (shared) before it reads the registration,
    # so either its row is visible here or it waits and then finds the registration cancelled.
    if _has_checked_in(event_id, member.id):
        raise already_checked_in()
    if event.status == EventStatus.published and utcnow() >= event.starts_at:
        raise AppError("event_started")
    if reg.status == RegistrationStatus.confirmed:
        event.confirmed_count -= 1
    else:
        event.waitlist_count -= 1
    reg.status, reg.waitlist_seq, reg.cancelled_at = RegistrationStatus.cancelled, None, utcnow()
    db.session.flush()
    promoted = fill_seats(event) if event.status == EventStatus.published else []
    return reg, promoted


def release_registrations(member_ids: list[int], now: datetime) -> tuple[int, list[Event]]:
    """Cancel the members' confirmed and waitlisted registrations for published events that have not
    ended. A registration already checked in stays: that seat was used.

    For deactivation; the caller holds the members' rows (so none of them signs up meanwhile), and then
    fills the freed seats with ``promote_waitlists(events)`` once it has taken every lock it needs (the
    promotion notices serialise on a lock of their own). Locks the events in id order. Returns
    (registrations released, the events they were released from). Raises nothing.
    """
    if not member_ids:
        return 0, []
    active = Registration.status.in_((RegistrationStatus.confirmed, RegistrationStatus.waitlisted))
    event_ids = select(Registration.event_id).join(Event, Event.id == Registration.event_id).where(
        Registration.member_id.in_(member_ids), active, Event.status == EventStatus.published, Event.ends_at > now)
    events = list(db.session.scalars(
        select(Event).where(Event.id.in_(event_ids)).order_by(Event.id).with_for_update()
        .execution_options(populate_existing=True)))
    if not events:
        return 0, []
    # Under the events' locks: check-ins and cancellations of these events have finished or wait.
    rows = db.session.execute(
        select(Registration.id, Registration.event_id, Registration.status).where(
            Registration.member_id.in_(member_ids), Registration.event_id.in_([e.id for e in events]), active,
            ~exists().where(Checkin.event_id == Registration.event_id, Checkin.member_id == Registration.member_id))
    ).all()
    if not rows:
        return 0, []
    db.session.execute(
        update(Registration).where(Registration.id.in_([r.id for r in rows]))
        .values(status=RegistrationStatus.cancelled, waitlist_seq=None, cancelled_at=now),
        execution_options={"synchronize_session": False})
    by_id = {e.id: e for e in events}
    for r in rows:
        if r.status == RegistrationStatus.confirmed:
            by_id[r.event_id].confirmed_count -= 1
        else:
            by_id[r.event_id].waitlist_count -= 1
    db.session.flush()
    return len(rows), [by_id[i] for i in sorted({r.event_id for r in rows})]
