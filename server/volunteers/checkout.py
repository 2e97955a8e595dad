"""Check-out at a volunteer event with the venue code's check-out mode (``o1.``; server/events/checkin.py).

The hours of an event are check-out − check-in, capped at the event's length and never negative, fixed in
whole minutes when the check-out is written. One check-out per member and event: the row is written with
``INSERT … ON CONFLICT DO NOTHING`` and read back, so a retry, a second phone and racing requests all end in
the first one, and every caller sees it (200 for a repeat, as check-in answers).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import Boolean, Integer, String, and_, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core.errors import AppError
from ..core.extensions import db, statement_per_transaction
from ..core.timeutil import UTCDateTime, to_local_iso, utcnow
from ..events import checkin as venue
from ..events.lifecycle import get_event, not_found
from ..events.models import Checkin, Event, EventKind, EventStatus
from ..members.auth import expected_token_version, member_confirmed
from ..members.models import Member
from .models import VolunteerCheckout


@dataclass(frozen=True)
class CheckoutResult:
    event_id: int
    checked_in_at: datetime
    checked_out_at: datetime
    minutes: int


def capped_minutes(checked_in_at: datetime, checked_out_at: datetime, starts_at: datetime,
                   ends_at: datetime) -> int:
    """Whole minutes served: check-out − check-in, at most the event's length, never negative."""
    served = int((checked_out_at - checked_in_at).total_seconds()) // 60
    length = int((ends_at - starts_at).total_seconds()) // 60
    return max(0, min(served, length))


def checkout_window(event) -> tuple[datetime, datetime]:
    """When check-out codes are taken: from when check-in opens until VOLUNTEER_CHECKOUT_CLOSES_MINUTES_AFTER
    after the event's end (a check-out also needs the member's check-in, so it never comes before it)."""
    return (event.starts_at - timedelta(minutes=event.checkin_opens_minutes_before),
            event.ends_at + timedelta(minutes=int(current_app.config["VOLUNTEER_CHECKOUT_CLOSES_MINUTES_AFTER"])))


def volunteer_event(event_id: int) -> Event:
    """Raises 404 not_found, 409 event_cancelled, 409 not_volunteer_event."""
    event = get_event(event_id)
    if event.kind != EventKind.volunteer:
        raise AppError("not_volunteer_event")
    if event.status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    return event


def current_code(event_id: int) -> tuple[Event, str, datetime]:
    """The check-out code staff show now. Raises 404 not_found, 409 event_cancelled / not_volunteer_event."""
    event = volunteer_event(event_id)
    token, valid_until = venue.venue_code(event_id, mode=venue.CHECKOUT)
    return event, token, valid_until


# The one read: the member's roster state, the event, the member's check-in and any earlier check-out.
_READ = (
    select(Member.is_active, Member.token_version, Event.id.label("event_id"), Event.kind, Event.status,
           Event.starts_at, Event.ends_at, Event.checkin_opens_minutes_before, Checkin.id.label("checkin_id"),
           Checkin.checked_in_at, VolunteerCheckout.checked_out_at, VolunteerCheckout.minutes)
    .select_from(Member)
    .outerjoin(Event, Event.id == bindparam("event_id"))
    .outerjoin(Checkin, and_(Checkin.event_id == Event.id, Checkin.member_id == Member.id))
    .outerjoin(VolunteerCheckout, and_(VolunteerCheckout.event_id == Event.id,
                                       VolunteerCheckout.member_id == Member.id))
    .where(Member.id == bindparam("member_id"))
)


# PostgreSQL: the same read and, when it shows an open volunteer event, the member's check-in and no check-out
# yet, the insert, in one round trip (as check-in's). The minutes are computed as capped_minutes() does. Any
# other outcome (a refusal, a racing insert that won) comes back with inserted_at NULL and goes through the
# portable path below.
_CHECKOUT_PG = text("""
WITH m AS (
    SELECT is_active, token_version FROM members WHERE id = :member_id
), r AS (
    SELECT e.id AS event_id, e.kind, e.status, e.starts_at, e.ends_at, e.checkin_opens_minutes_before,
           c.id AS checkin_id, c.checked_in_at, o.checked_out_at, o.minutes
    FROM events e
    LEFT JOIN checkins c ON c.event_id = e.id AND c.member_id = :member_id
    LEFT JOIN volunteer_checkouts o ON o.event_id = e.id AND o.member_id = :member_id
    WHERE e.id = :event_id
), ins AS (
    INSERT INTO volunteer_checkouts (event_id, member_id, checkin_id, checked_out_at, minutes, created_at)
    SELECT r.event_id, :member_id, r.checkin_id, :now,
           GREATEST(0, LEAST(floor(extract(epoch FROM :now - r.checked_in_at) / 60),
                             floor(extract(epoch FROM r.ends_at - r.starts_at) / 60)))::int, :now
    FROM r, m
    WHERE m.is_active AND m.token_version = :token_version
      AND r.kind = 'volunteer' AND r.status = 'published' AND r.checkin_id IS NOT NULL AND r.checked_out_at IS NULL
      AND :now BETWEEN r.starts_at - make_interval(mins => r.checkin_opens_minutes_before)
                   AND r.ends_at + make_interval(mins => :closes_after)
    ON CONFLICT (event_id, member_id) DO NOTHING
    RETURNING checked_out_at, minutes
)
SELECT (SELECT is_active FROM m) AS is_active, (SELECT token_version FROM m) AS token_version, r.*,
       (SELECT checked_out_at FROM ins) AS inserted_at, (SELECT minutes FROM ins) AS inserted_minutes
FROM (SELECT 1) AS one LEFT JOIN r ON true
""").bindparams(bindparam("now", type_=UTCDateTime())).columns(
    is_active=Boolean, token_version=Integer, event_id=Integer, kind=String, status=String, starts_at=UTCDateTime,
    ends_at=UTCDateTime, checkin_opens_minutes_before=Integer, checkin_id=Integer, checked_in_at=UTCDateTime,
    checked_out_at=UTCDateTime, minutes=Integer, inserted_at=UTCDateTime, inserted_minutes=Integer)


@lru_cache(maxsize=4)
def _insert_stmt(dialect: str):
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = VolunteerCheckout.__table__
    return (insert(table).on_conflict_do_nothing(index_elements=[table.c.event_id, table.c.member_id])
            .returning(table.c.checked_out_at, table.c.minutes))


def check_out(member_id: int, token: str) -> tuple[CheckoutResult, bool]:
    """Check the member out with the check-out code. Returns (result, created); a repeat (a retry, a second
    scan, even after the window closed) returns the first check-out with created=False.

    Raises 401 unauthenticated (left the roster), 400 invalid_token (forged, malformed, a check-in code) /
    token_expired, 404 not_found, 409 not_volunteer_event / event_cancelled / not_checked_in / checkout_closed.
    """
    now = utcnow()
    event_id = venue.read_venue_code(token, now, mode=venue.CHECKOUT)
    params = {"event_id": event_id, "member_id": member_id}
    # Each statement below is atomic alone (a read, an insert that a conflict makes a no-op, or both in one).
    statement_per_transaction()
    if db.engine.dialect.name == "postgresql":
        row = db.session.execute(_CHECKOUT_PG, {
            **params, "now": now, "token_version": expected_token_version(),
            "closes_after": int(current_app.config["VOLUNTEER_CHECKOUT_CLOSES_MINUTES_AFTER"])}).one()
        member_confirmed(row.is_active, row.token_version)
        if row.inserted_at is not None:
            return CheckoutResult(event_id, row.checked_in_at, row.inserted_at, row.inserted_minutes), True
    else:
        row = db.session.execute(_READ, params).first()
        member_confirmed(row.is_active if row else None, row.token_version if row else None)
    if row.event_id is None:
        raise not_found()
    if row.checked_out_at is not None:
        return CheckoutResult(event_id, row.checked_in_at, row.checked_out_at, row.minutes), False
    if row.kind != EventKind.volunteer:
        raise AppError("not_volunteer_event")
    if row.status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    if row.checked_in_at is None:
        raise AppError("not_checked_in")
    opens, closes = checkout_window(row)
    if not opens <= now <= closes:
        raise AppError("checkout_closed", "签退尚未开始" if now < opens else "签退已结束",
                       details={"opens_at": to_local_iso(opens), "closes_at": to_local_iso(closes)})
    minutes = capped_minutes(row.checked_in_at, now, row.starts_at, row.ends_at)
    written = db.session.execute(_insert_stmt(db.engine.dialect.name), {
        "event_id": event_id, "member_id": member_id, "checkin_id": row.checkin_id, "checked_out_at": now,
        "minutes": minutes, "created_at": now}).first()
    if written is not None:
        return CheckoutResult(event_id, row.checked_in_at, written.checked_out_at, written.minutes), True
    # Another request's insert won and is committed (READ COMMITTED; SQLite serialises writers): it is the one.
    first = db.session.execute(select(VolunteerCheckout.checked_out_at, VolunteerCheckout.minutes).where(
        VolunteerCheckout.event_id == event_id, VolunteerCheckout.member_id == member_id)).one()
    return CheckoutResult(event_id, row.checked_in_at, first.checked_out_at, first.minutes), False
