"""Notices the system sends by itself when something happens to what members signed up for."""
from __future__ import annotations

from sqlalchemy import exists, select

from ..core.extensions import db
from ..core.timeutil import SHANGHAI
from ..events.models import Registration
from ..events.signals import event_cancelled, event_moved, registration_promoted
from . import services


def _when(event) -> str:
    start = event.starts_at.astimezone(SHANGHAI)
    return f"{start.month}月{start.day}日 {start:%H:%M}"


def tell_promoted(event, member_ids: list[int]) -> None:
    """Told at once, in the same transaction that confirmed them: no promotion goes unannounced."""
    notice = services.create_notice(
        None, title=f"候补成功：{event.title}",
        body=f"您已从候补转为正式报名。活动时间：{_when(event)}，地点：{event.location}。如不能参加，请及时取消报名，把名额留给其他会员。",
        channels=["push"], audience={"member_ids": member_ids}, sms_fallback=True,
        page=f"pages/events/detail?id={event.id}", source="waitlist", event_id=event.id)
    services.send_notice(notice.id)


def tell_cancelled(event) -> None:
    """Everyone registered or waiting hears that the event is off."""
    if not db.session.scalar(select(exists().where(Registration.event_id == event.id,
                                                   Registration.status.in_(("confirmed", "waitlisted"))))):
        return
    notice = services.create_notice(
        None, title=f"活动取消：{event.title}",
        body=f"原定于{_when(event)}在{event.location}举行的“{event.title}”已取消，给您带来不便，敬请谅解。",
        channels=["push"], audience={"event_id": event.id}, sms_fallback=True,
        page=f"pages/events/detail?id={event.id}", source="event_change", event_id=event.id)
    services.send_notice(notice.id)


def tell_moved(event, before: dict) -> None:
    """Everyone registered or waiting hears the new time and place, in the transaction that changed them."""
    if not db.session.scalar(select(exists().where(Registration.event_id == event.id,
                                                   Registration.status.in_(("confirmed", "waitlisted"))))):
        return
    old = _span(before["starts_at"], before["ends_at"])
    new = _span(event.starts_at, event.ends_at)
    what = "时间和地点" if old != new and before["location"] != event.location else "时间" if old != new else "地点"
    notice = services.create_notice(
        None, title=f"活动{what}变更：{event.title}"[:100],
        body=f"您报名的“{event.title}”{what}有变：原定{old}在{before['location']}，现改为{new}在{event.location}。"
             f"如不能参加，请在小程序中取消报名，把名额留给其他会员。",
        channels=["push"], audience={"event_id": event.id}, sms_fallback=True,
        page=f"pages/events/detail?id={event.id}", source="event_change", event_id=event.id)
    services.send_notice(notice.id)


def _span(starts_at, ends_at) -> str:
    start, end = starts_at.astimezone(SHANGHAI), ends_at.astimezone(SHANGHAI)
    tail = f"{end:%H:%M}" if end.date() == start.date() else f"{end.month}月{end.day}日 {end:%H:%M}"
    return f"{start.month}月{start.day}日 {start:%H:%M}—{tail}"


def connect() -> None:
    registration_promoted.connect(tell_promoted)
    event_cancelled.connect(tell_cancelled)
    event_moved.connect(tell_moved)
