"""Events themselves: create, change and cancel them, and look one up."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert

from ..core import audiences as audiences_
from ..core import signed_codes
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise
from ..core.timeutil import utcnow
from .models import Event, EventAudience, EventStatus
from .signals import event_cancelled, event_moved, event_scheduled
from .waitlist import fill_seats


def not_found() -> AppError:
    return AppError("not_found", "活动不存在")


def _new_ticket_key() -> bytes:
    return signed_codes.new_key()


def _set_audience(event: Event, audience: dict | None) -> None:
    rows = audiences_.resolve_rows(audience)
    db.session.execute(delete(EventAudience).where(EventAudience.event_id == event.id))
    if rows:
        db.session.execute(insert(EventAudience), [{"event_id": event.id, "kind": k, "ref_id": r} for k, r in rows])


def create_event(created_by: int | None = None, audience: dict | None = None, **fields: Any) -> Event:
    """Create a published event. Raises 400 invalid_request for unknown audience names."""
    rows = audiences_.resolve_rows(audience)
    event = Event(**fields, created_by=created_by, ticket_key=_new_ticket_key(), status=EventStatus.published)
    db.session.add(event)
    db.session.flush()
    if rows:
        db.session.execute(insert(EventAudience), [{"event_id": event.id, "kind": k, "ref_id": r} for k, r in rows])
    event_scheduled.send(event)
    return event


def get_event(event_id: int, lock: bool = False) -> Event:
    return get_or_raise(Event, event_id, not_found, lock=lock)


def update_event(event_id: int, changes: dict[str, Any]) -> tuple[Event, list[int]]:
    """Apply a partial update. Raising capacity promotes from the waiting list.

    A change of time or place is told to everyone registered or waiting (``event_moved``), in this
    transaction; reminders follow a new start (``event_scheduled``).
    Returns the event and the promoted member ids. Raises 404, 409 event_cancelled, 409 event_ended
    (capacity of an event that is over), 409 capacity_below_confirmed, 400 invalid_request (times that no
    longer fit together).
    """
    event = get_event(event_id, lock=True)
    if event.status == EventStatus.cancelled:
        raise AppError("event_cancelled")
    if "capacity" in changes and event.ends_at <= utcnow():
        # More seats after the end would "promote" the waiting list into an event that is over.
        raise AppError("event_ended", "活动已结束，不能修改名额")
    audience = changes.pop("audience", None)
    merged = {c: changes.get(c, getattr(event, c)) for c in
              ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at")}
    if merged["ends_at"] <= merged["starts_at"]:
        raise invalid_request({"ends_at": "结束时间必须晚于开始时间"})
    if merged["signup_opens_at"] and merged["signup_closes_at"] and \
            merged["signup_closes_at"] <= merged["signup_opens_at"]:
        raise invalid_request({"signup_closes_at": "报名截止时间必须晚于报名开始时间"})
    if merged["signup_closes_at"] and merged["signup_closes_at"] > merged["ends_at"] and \
            {"signup_closes_at", "ends_at"} & changes.keys():
        # As on creation; checked only when one of the two moves, so an older event stays editable.
        raise invalid_request({"signup_closes_at": "报名截止时间不能晚于活动结束时间"})
    if "capacity" in changes and changes["capacity"] is not None and changes["capacity"] < event.confirmed_count:
        raise AppError("capacity_below_confirmed", f"已有 {event.confirmed_count} 人报名成功，名额不能少于此数",
                       details={"confirmed_count": event.confirmed_count})
    moved = any(k in changes and changes[k] != getattr(event, k) for k in ("starts_at", "reminder_minutes"))
    before = {k: getattr(event, k) for k in ("starts_at", "ends_at", "location")}
    for key, value in changes.items():
        setattr(event, key, value)
    if audience is not None:
        _set_audience(event, audience)
    db.session.flush()
    if moved:
        event_scheduled.send(event)
    if any(getattr(event, k) != v for k, v in before.items()):
        event_moved.send(event, before=before)
    promoted = fill_seats(event)
    return event, promoted


def cancel_event(event_id: int) -> Event:
    """Cancel an event (idempotent); registrants are told through the ``event_cancelled`` signal.
    Raises 404 not_found, 409 event_ended (it is over: there is nothing left to call off, and telling
    its registrants it was cancelled would be false)."""
    event = get_event(event_id, lock=True)
    if event.status != EventStatus.cancelled and event.ends_at <= utcnow():
        raise AppError("event_ended")
    if event.status != EventStatus.cancelled:
        event.status = EventStatus.cancelled
        event.cancelled_at = utcnow()
        db.session.flush()
        event_cancelled.send(event)
    return event
