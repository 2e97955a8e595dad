"""Check-in: the rotating venue code, signed member tickets, and one check-in per member and event.

Two ways in:

- **Venue code** (``c1.{event_id}.{period}.{mac}``): staff show a QR code that changes every
  ``CHECKIN_CODE_PERIOD`` seconds; a member scans it with ``wx.scanCode`` and posts it. The MAC is an
  HMAC-SHA256 under a key derived from ``QR_SECRET_KEY``, so nobody can mint a code, and a code is
  accepted in its own period and the next one only, so a forwarded photo stops working within
  two periods.
- **Ticket** (``t1.{event_id}.{registration_id}.{member_id}.{sig}``): the member shows a QR code that
  staff scan. ``sig`` is an Ed25519 signature by the event's own key; the public half is handed to
  staff devices (``checkin_key``) so they can verify tickets offline and sync the scans later.

Either way the row is written with ``INSERT … ON CONFLICT (event_id, member_id) DO NOTHING`` and
then read back: retries, two devices and racing requests all end in one check-in, and every
caller sees the first one's ``checked_in_at``.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Optional

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app
from sqlalchemy import Boolean, Integer, String, and_, bindparam, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core import signed_codes
from ..core.config import secret_keys
from ..core.errors import AppError
from ..core.extensions import db, statement_per_transaction
from ..core.timeutil import UTCDateTime, to_local_iso, utcnow
from ..members.auth import expected_token_version, load_member, member_confirmed
from ..members.models import Department, Member
from .lifecycle import get_event, not_found
from .models import Checkin, Event, EventStatus, Registration, RegistrationStatus
from .queries import audience_filter

CLOCK_SKEW = signed_codes.CLOCK_SKEW
TICKET_FORMAT = ("t1.{event_id}.{registration_id}.{member_id}.{signature}; signature = base64url (no padding) "
                 "of the Ed25519 signature over the UTF-8 bytes of \"t1.{event_id}.{registration_id}.{member_id}\"")

_CODE = re.compile(r"c1\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})")
_TICKET = re.compile(r"(t1\.(\d{1,12})\.(\d{1,12})\.(\d{1,12}))\.(" + signed_codes.SIGNATURE_PATTERN + ")")


@dataclass(frozen=True)
class CheckinResult:
    event_id: int
    member_id: int
    checked_in_at: datetime
    name: str = ""
    employee_no: str = ""
    department: Optional[str] = None


@dataclass
class BatchResult:
    index: int
    status: str  # checked_in | already_checked_in | error
    member_id: Optional[int] = None
    checked_in_at: Optional[datetime] = None
    error: Optional[AppError] = None
    # Who the ticket names (staff see name, employee number and department), read for the whole batch at once.
    name: Optional[str] = None
    employee_no: Optional[str] = None
    department: Optional[str] = None


_b64 = signed_codes.b64
qr_png = signed_codes.qr_png


def invalid_token(message: str | None = None, details: dict | None = None) -> AppError:
    return AppError("invalid_token", message, details=details)


def _member_inactive() -> AppError:
    # not_registered as API.md fixes it for a ticket that admits nobody; the reason tells staff why.
    return AppError("not_registered", "该会员已不在工会会员名册中（已停用），电子票无效",
                    details={"reason": "member_inactive"})


def _event_for_checkin(event_id: int) -> Event:
    """The event, held shared (FOR KEY SHARE, as the check-in's own foreign key would) before any
    registration is read: a cancellation or a deactivation holds it exclusively, so a check-in and a
    cancellation of the same registration never both succeed. Raises 404 not_found."""
    event = db.session.scalar(select(Event).where(Event.id == event_id).with_for_update(read=True, key_share=True)
                              .execution_options(populate_existing=True))
    if event is None:
        raise not_found()
    return event


def _not_registered(reg_status: str | None) -> AppError:
    reason = reg_status or "none"
    message = {
        RegistrationStatus.waitlisted: "您在候补名单中，尚未获得名额，不能签到",
        RegistrationStatus.cancelled: "报名已取消，不能签到",
    }.get(reg_status)
    return AppError("not_registered", message, details={"reason": reason})


# --- venue code -----------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _derive_code_key(secret: str) -> bytes:
    # A key of its own: codes shown on a public screen never involve the key that signs logins.
    return hmac.new(secret.encode(), b"union-hub/checkin-code/v1", hashlib.sha256).digest()


def _code_mac(event_id: int, period: int, secret: str | None = None) -> str:
    """The code's MAC under ``secret``, by default the current QR key."""
    key = _derive_code_key(secret or secret_keys(current_app.config, "QR_SECRET_KEY")[0])
    return _b64(hmac.new(key, f"checkin:{event_id}:{period}".encode(), hashlib.sha256).digest())[:22]


def _code_mac_valid(event_id: int, period: int, mac: str) -> bool:
    # Codes made under the previous key (QR_SECRET_KEY_PREVIOUS) pass while a rotation is under way.
    return any(hmac.compare_digest(mac, _code_mac(event_id, period, secret))
               for secret in secret_keys(current_app.config, "QR_SECRET_KEY"))


def code_period_seconds() -> int:
    return int(current_app.config["CHECKIN_CODE_PERIOD"])


def venue_code(event_id: int, now: datetime | None = None) -> tuple[str, datetime]:
    """The venue code for this moment and when it stops being accepted (the end of the next period)."""
    seconds = code_period_seconds()
    period = int((now or utcnow()).timestamp()) // seconds
    token = f"c1.{event_id}.{period}.{_code_mac(event_id, period)}"
    return token, datetime.fromtimestamp((period + 2) * seconds, UTC)


def current_code(event_id: int) -> tuple[str, datetime]:
    """The code staff show now. Raises 404 not_found, 409 event_cancelled."""
    if get_event(event_id).status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    return venue_code(event_id)


def read_venue_code(token: str, now: datetime) -> int:
    """The event a venue code names. Raises 400 invalid_token (forged, malformed, from the future)
    or 400 token_expired (older than the previous period)."""
    m = _CODE.fullmatch(token)
    if m is None:
        raise invalid_token()
    event_id, period = int(m[1]), int(m[2])
    if m[1] != str(event_id) or m[2] != str(period):
        # One spelling per code, as the MAC is over the numbers: no leading zeros, no other digits (\d).
        raise invalid_token()
    if not _code_mac_valid(event_id, period, m[3]):
        raise invalid_token()
    current = int(now.timestamp()) // code_period_seconds()
    if period > current:
        raise invalid_token()
    if current - period > 1:
        raise AppError("token_expired")
    return event_id


# --- tickets --------------------------------------------------------------------------------------

def public_key(event: Event) -> Ed25519PublicKey:
    return signed_codes.public_key(event.ticket_key)


def sign_ticket(event: Event, registration_id: int, member_id: int) -> str:
    return signed_codes.sign(event.ticket_key, f"t1.{event.id}.{registration_id}.{member_id}")


def read_ticket(event: Event, ticket: str) -> tuple[int, int]:
    """(registration_id, member_id) from a ticket of this event. Raises 400 invalid_token."""
    m = _TICKET.fullmatch(ticket)
    if m is None:
        raise invalid_token("电子票无效")
    if int(m[2]) != event.id:
        raise invalid_token("该电子票不属于本活动", {"event_id": int(m[2])})
    if not signed_codes.verify(event.ticket_key, m[1], m[5]):
        raise invalid_token("电子票无效")
    return int(m[3]), int(m[4])


def checkin_key(event: Event) -> dict:
    return {"event_id": event.id, "algorithm": "Ed25519", **signed_codes.public_key_info(event.ticket_key),
            "ticket_format": TICKET_FORMAT}


def issue_ticket(member: Member, event_id: int) -> str:
    """The member's signed ticket. Raises 404 not_found, 409 event_cancelled,
    403 not_registered (no confirmed registration; details.reason says why)."""
    event = get_event(event_id)
    if event.status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    reg = db.session.execute(
        select(Registration.id, Registration.status)
        .where(Registration.event_id == event_id, Registration.member_id == member.id)
    ).first()
    if reg is None or reg.status != RegistrationStatus.confirmed:
        raise _not_registered(reg.status if reg else None)
    return sign_ticket(event, reg.id, member.id)


# --- the rules ------------------------------------------------------------------------------------

def checkin_window(event) -> tuple[datetime, datetime]:
    """When check-in is open: from ``starts_at - checkin_opens_minutes_before`` to
    ``starts_at + checkin_closes_minutes_after``. Both ends count from the start (not from
    ``ends_at``), so "closes 120 minutes after" means two hours after the event began."""
    return (event.starts_at - timedelta(minutes=event.checkin_opens_minutes_before),
            event.starts_at + timedelta(minutes=event.checkin_closes_minutes_after))


def _check_open(event, at: datetime) -> None:
    """Raises 409 event_cancelled, 409 checkin_closed."""
    if event.status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    opens, closes = checkin_window(event)
    if not opens <= at <= closes:
        message = "签到尚未开始" if at < opens else "签到已结束"
        raise AppError("checkin_closed", message,
                       details={"opens_at": to_local_iso(opens), "closes_at": to_local_iso(closes)})


_scan_time = signed_codes.scan_time


@lru_cache(maxsize=4)
def _insert_stmt(dialect: str):
    # Built once: constructing statements costs more than running them on the check-in hot path.
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Checkin.__table__
    return (insert(table).on_conflict_do_nothing(index_elements=[table.c.event_id, table.c.member_id])
            .returning(table.c.member_id, table.c.checked_in_at))


def _insert(rows: list[dict]) -> dict[int, datetime]:
    """INSERT … ON CONFLICT (event_id, member_id) DO NOTHING; {member_id: checked_in_at} of the rows
    actually written. A conflict is the normal outcome of a retry or a race, never an error."""
    stmt = _insert_stmt(db.engine.dialect.name)
    return dict(db.session.execute(stmt, rows[0] if len(rows) == 1 else rows).all())


def _checked_in_at(event_id: int, member_ids: Iterable[int]) -> dict[int, datetime]:
    return dict(db.session.execute(
        select(Checkin.member_id, Checkin.checked_in_at)
        .where(Checkin.event_id == event_id, Checkin.member_id.in_(list(member_ids)))
    ).all())


def _record(event_id: int, member_id: int, **row) -> tuple[datetime, bool]:
    written = _insert([{"event_id": event_id, "member_id": member_id, "created_at": utcnow(), **row}])
    if member_id in written:
        return written[member_id], True
    # Someone else's insert won: theirs is the check-in, and it is committed (READ COMMITTED on
    # PostgreSQL; SQLite writers are serialised), so it is visible here.
    return _checked_in_at(event_id, [member_id])[member_id], False


# --- check-in -------------------------------------------------------------------------------------

# The hot path's one read: the event, the member's registration and any earlier check-in.
_CODE_CHECKIN_READ = (
    select(Event.status, Event.starts_at, Event.walk_in, Event.checkin_opens_minutes_before,
           Event.checkin_closes_minutes_after, Registration.id.label("registration_id"),
           Registration.status.label("registration_status"), Checkin.checked_in_at)
    .select_from(Event)
    .outerjoin(Registration, and_(Registration.event_id == Event.id, Registration.member_id == bindparam("member_id")))
    .outerjoin(Checkin, and_(Checkin.event_id == Event.id, Checkin.member_id == bindparam("member_id")))
    .where(Event.id == bindparam("event_id"))
)


# PostgreSQL: the same read and, when it shows a confirmed registration, an open window and no
# check-in yet, the insert, in one statement. Any other outcome (a refusal, a walk-in, a racing
# insert that won) comes back with inserted_at NULL and goes through the portable path below.
#
# The event is held shared before the registration is read, and the registration is read FOR SHARE, so
# it is its latest committed state even when this statement waited (FOR KEY SHARE would keep the version
# of the statement's snapshot: a status change is not a key change): a cancellation, which holds the
# event exclusively, has either finished, and its status is seen, or it waits and then finds the check-in.
_CODE_CHECKIN_PG = text("""
WITH e AS MATERIALIZED (
    SELECT id, status, starts_at, walk_in, checkin_opens_minutes_before, checkin_closes_minutes_after
    FROM events WHERE id = :event_id FOR KEY SHARE
), reg AS MATERIALIZED (
    SELECT x.id, x.status FROM registrations x JOIN e ON x.event_id = e.id
    WHERE x.member_id = :member_id FOR SHARE OF x
), r AS (
    SELECT e.status, e.starts_at, e.walk_in, e.checkin_opens_minutes_before, e.checkin_closes_minutes_after,
           reg.id AS registration_id, reg.status AS registration_status, c.checked_in_at
    FROM e
    LEFT JOIN reg ON true
    LEFT JOIN checkins c ON c.event_id = e.id AND c.member_id = :member_id
), m AS (
    SELECT is_active, token_version FROM members WHERE id = :member_id
), ins AS (
    INSERT INTO checkins (event_id, member_id, registration_id, checked_in_at, method, is_walk_in, created_at)
    SELECT :event_id, :member_id, r.registration_id, :now, 'code', false, :now FROM r, m
    WHERE m.is_active AND m.token_version = :token_version
      AND r.checked_in_at IS NULL AND r.status = 'published' AND r.registration_status = 'confirmed'
      AND :now BETWEEN r.starts_at - make_interval(mins => r.checkin_opens_minutes_before)
                   AND r.starts_at + make_interval(mins => r.checkin_closes_minutes_after)
    ON CONFLICT (event_id, member_id) DO NOTHING
    RETURNING checked_in_at
)
SELECT (SELECT is_active FROM m) AS member_active, (SELECT token_version FROM m) AS member_token_version,
       r.*, (SELECT checked_in_at FROM ins) AS inserted_at
FROM (SELECT 1) AS one LEFT JOIN r ON true
""").bindparams(bindparam("now", type_=UTCDateTime())).columns(
    member_active=Boolean, member_token_version=Integer, status=String, starts_at=UTCDateTime, walk_in=Boolean,
    checkin_opens_minutes_before=Integer, checkin_closes_minutes_after=Integer, registration_id=Integer,
    registration_status=String, checked_in_at=UTCDateTime, inserted_at=UTCDateTime)


def check_in_with_code(member_id: int, token: str) -> tuple[CheckinResult, bool]:
    """Check the member in with the venue code. Returns (result, created); a repeat (a retry, a
    second scan, even after the window closed) returns the first check-in with created=False.

    A confirmed registration is required; without one, a walk-in event admits members of its
    audience as walk-ins. Raises 401 unauthenticated (the member left the roster), 400 invalid_token /
    token_expired, 404 not_found, 409 event_cancelled / checkin_closed, 403 not_registered
    (details.reason: none, waitlisted, cancelled), 403 not_eligible (walk-in outside the audience).
    """
    now = utcnow()
    event_id = read_venue_code(token, now)
    params = {"event_id": event_id, "member_id": member_id}
    member = None
    if db.engine.dialect.name == "postgresql":
        # The member's roster state, the read and the insert in one round trip, which commits on its
        # own; whatever follows (a refusal, a walk-in) writes at most one idempotent row.
        statement_per_transaction()
        row = db.session.execute(_CODE_CHECKIN_PG, {**params, "now": now,
                                                    "token_version": expected_token_version()}).one()
        member_confirmed(row.member_active, row.member_token_version)
        if row.inserted_at is not None:
            return CheckinResult(event_id, member_id, row.inserted_at), True
        if row.status is None:
            row = None
    else:
        member = load_member(member_id)
        row = db.session.execute(_CODE_CHECKIN_READ, params).first()
    if row is None:
        raise not_found()
    if row.checked_in_at is not None:
        return CheckinResult(event_id, member_id, row.checked_in_at), False
    _check_open(row, now)
    registration_id, walk_in = row.registration_id, False
    if row.registration_status != RegistrationStatus.confirmed:
        if not row.walk_in:
            raise _not_registered(row.registration_status)
        member = member or load_member(member_id)
        if not db.session.scalar(select(exists().where(Event.id == event_id, audience_filter(member)))):
            raise AppError("not_eligible")
        registration_id, walk_in = None, True
    at, created = _record(event_id, member_id, registration_id=registration_id, checked_in_at=now,
                          method="code", is_walk_in=walk_in, recorded_by=None)
    return CheckinResult(event_id, member_id, at), created


def check_in_with_ticket(staff: Member, event_id: int, ticket: str,
                         scanned_at: datetime | None = None) -> tuple[CheckinResult, bool]:
    """Staff check a member in by scanning the member's ticket, now or (offline) at ``scanned_at``,
    which becomes the check-in time and is what the window is checked against.

    Raises 400 invalid_request (scanned_at in the future), 404 not_found, 400 invalid_token
    (forged, tampered, another event's), 409 event_cancelled / checkin_closed, 403 not_registered
    (the registration is no longer confirmed; details.reason; ``member_inactive`` when the member has
    left the roster, even if checked in before).
    """
    at = _scan_time(scanned_at, utcnow())
    event = _event_for_checkin(event_id)
    registration_id, member_id = read_ticket(event, ticket)
    row = db.session.execute(
        select(Registration.status, Member.name, Member.employee_no, Department.name.label("department"),
               Member.is_active, Checkin.checked_in_at)
        .join(Member, Member.id == Registration.member_id)
        .outerjoin(Department, Department.id == Member.department_id)
        .outerjoin(Checkin, and_(Checkin.event_id == event_id, Checkin.member_id == member_id))
        .where(Registration.id == registration_id, Registration.event_id == event_id,
               Registration.member_id == member_id)
    ).first()
    if row is None:
        raise _not_registered(None)
    if not row.is_active:
        raise _member_inactive()
    if row.checked_in_at is not None:
        return CheckinResult(event_id, member_id, row.checked_in_at, row.name, row.employee_no, row.department), False
    _check_open(event, at)
    if row.status != RegistrationStatus.confirmed:
        raise _not_registered(row.status)
    checked_in_at, created = _record(event_id, member_id, registration_id=registration_id, checked_in_at=at,
                                     method="ticket", is_walk_in=False, recorded_by=staff.id)
    return CheckinResult(event_id, member_id, checked_in_at, row.name, row.employee_no, row.department), created


def check_in_batch(staff: Member, event_id: int, items: list[tuple[str, datetime]]) -> list[BatchResult]:
    """Sync scans made offline: each item succeeds or fails on its own.

    A member scanned more than once (in this batch, on two devices, in an earlier sync) is checked
    in once: within a batch the earliest valid scan is stored; against what is already stored, the
    first one stored wins and later scans report ``already_checked_in`` with that time.
    Set-based: signatures are verified in Python, then one read of registrations (with the members'
    names, employee numbers and departments) and check-ins and one bulk insert. A member who has left
    the roster is refused (``not_registered``, as online).
    Raises (for the whole batch) 404 not_found, 409 event_cancelled.
    """
    now = utcnow()
    event = _event_for_checkin(event_id)
    if event.status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    results: dict[int, BatchResult] = {}
    scans: list[tuple[datetime, int, int, int]] = []  # (at, index, registration_id, member_id)
    for index, (ticket, scanned_at) in enumerate(items):
        try:
            at = _scan_time(scanned_at, now)
            registration_id, member_id = read_ticket(event, ticket)
        except AppError as e:
            results[index] = BatchResult(index, "error", error=e)
            continue
        scans.append((at, index, registration_id, member_id))

    member_ids = {s[3] for s in scans}
    regs = {r.id: r for r in db.session.execute(
        select(Registration.id, Registration.member_id, Registration.status, Member.is_active, Member.name,
               Member.employee_no, Department.name.label("department"))
        .join(Member, Member.id == Registration.member_id)
        .outerjoin(Department, Department.id == Member.department_id)
        .where(Registration.event_id == event_id, Registration.member_id.in_(member_ids))
    )} if member_ids else {}
    stored = _checked_in_at(event_id, member_ids) if member_ids else {}

    chosen: dict[int, tuple[int, dict]] = {}  # member_id -> (index, row to insert)
    for at, index, registration_id, member_id in sorted(scans):
        result = BatchResult(index, "already_checked_in", member_id=member_id)
        results[index] = result
        reg = regs.get(registration_id)
        if reg is not None and reg.member_id == member_id and not reg.is_active:
            results[index] = BatchResult(index, "error", member_id=member_id, error=_member_inactive())
            continue
        if member_id in stored or member_id in chosen:
            continue
        try:
            _check_open(event, at)
            if reg is None or reg.member_id != member_id or reg.status != RegistrationStatus.confirmed:
                raise _not_registered(reg.status if reg is not None else None)
        except AppError as e:
            results[index] = BatchResult(index, "error", member_id=member_id, error=e)
            continue
        chosen[member_id] = (index, {
            "event_id": event_id, "member_id": member_id, "registration_id": registration_id, "checked_in_at": at,
            "method": "ticket", "is_walk_in": False, "recorded_by": staff.id, "created_at": now})

    written = _insert([row for _, row in chosen.values()]) if chosen else {}
    for member_id, (index, _) in chosen.items():
        if member_id in written:
            results[index].status = "checked_in"
    times = {**stored, **written}
    late = {r.member_id for r in results.values() if r.status != "error"} - times.keys()
    if late:  # written by another device's sync while this one ran
        times.update(_checked_in_at(event_id, late))
    for r in results.values():
        if r.status != "error":
            r.checked_in_at = times[r.member_id]
    # Who each ticket names, from the registrations read above (a signed ticket was issued for one).
    people = {reg.member_id: reg for reg in regs.values()}
    for r in results.values():
        if (p := people.get(r.member_id)) is not None:
            r.name, r.employee_no, r.department = p.name, p.employee_no, p.department
    return [results[i] for i in range(len(items))]


def checkin_stats(event_id: int) -> dict[str, int]:
    """Confirmed registrations, check-ins (walk-ins included) and walk-ins. Raises 404 not_found."""
    get_event(event_id)
    registered = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.confirmed)
    ) or 0
    checked_in, walk_ins = db.session.execute(
        select(func.count(), func.count().filter(Checkin.is_walk_in.is_(True)))
        .select_from(Checkin).where(Checkin.event_id == event_id)
    ).one()
    return {"registered": registered, "checked_in": checked_in or 0, "walk_ins": walk_ins or 0}
