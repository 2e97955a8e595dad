"""Improvement items: creation with the clock, the list (overdue first), notes and transitions.
Services never commit. Every change is appended to the audit trail (entity ``improvement``) in its transaction."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Optional

from sqlalchemy import and_, case, func, insert, select, update

from ..audit_trail.services import record, snapshot
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..workdays.calendar import WorkCalendar, local_date
from .models import Improvement, ImprovementAction, ImprovementEvent, ImprovementSource, ImprovementStatus

WARN_WORKDAYS = 3
PAGE = "pages/improvements/mine"
TRAIL_FIELDS = ["title", "description", "source", "audit_id", "audit_item_id", "figure", "target", "owner_id",
                "due_date", "status", "result", "cancel_reason"]


def not_found() -> AppError:
    return AppError("not_found", "整改事项不存在")


def due_at_of(day: date) -> datetime:
    """The end of ``day`` in Asia/Shanghai (API.md: a due date is due at its 24:00)."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


def warn_at_of(day: date) -> datetime:
    """The start of the third-last working day up to ``day`` (due Friday: Wednesday 00:00), so the owner has
    three working days left when warned. Working days come from the one calendar (workdays/calendar.py)."""
    cal = WorkCalendar(day - timedelta(days=60), day)
    found, d = 0, day
    while d > cal.start:
        if cal.info(d).workday:
            found += 1
            if found == WARN_WORKDAYS:
                break
        d -= timedelta(days=1)
    return datetime.combine(d, time(0), SHANGHAI)


def overdue_expr(now: datetime):
    return and_(Improvement.status == ImprovementStatus.open, Improvement.due_at <= now)


def is_overdue(item: Improvement, now: Optional[datetime] = None) -> bool:
    return item.status == ImprovementStatus.open and item.due_at <= (now or utcnow())


def _owner(owner_id: int) -> Member:
    owner = db.session.scalar(select(Member).where(Member.id == owner_id, Member.is_active.is_(True)))
    if owner is None:
        raise invalid_request({"owner_id": "负责人不存在或已离开名册"})
    return owner


def _event(item_id: int, actor_id: Optional[int], action: str, body: Optional[str] = None) -> None:
    db.session.execute(insert(ImprovementEvent).values(improvement_id=item_id, at=utcnow(), actor_id=actor_id,
                                                       action=action, body=body))


def _tell(member_ids, title: str, body: str) -> None:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    ids = sorted({i for i in member_ids if i})
    if ids:
        notices.tell({"member_ids": ids}, title=title, body=body, page=PAGE, source=NoticeSource.improvement)


def create(actor_id: Optional[int], *, title: str, owner_id: int, due_date: date, description: str = "",
           source: str = ImprovementSource.manual, audit_id: Optional[int] = None,
           audit_item_id: Optional[int] = None, figure: Optional[str] = None, target: Optional[float] = None,
           notify: bool = True) -> Improvement:
    """A new open item; the owner is told. 400 for an owner off the roster or a due date already past."""
    now = utcnow()
    if due_date < local_date(now):
        raise invalid_request({"due_date": "整改期限不能早于今天"})
    if figure is not None:
        from ..reports.figures import is_known, target_error

        if not is_known(figure):  # the next report could never check it
            raise invalid_request({"figure": "不是效能报告中的指标"})
        if (why := target_error(figure, target)) is not None:
            raise invalid_request({"target": why})
    owner = _owner(owner_id)
    item = Improvement(title=title, description=description, source=source, audit_id=audit_id,
                       audit_item_id=audit_item_id, figure=figure, target=target, owner_id=owner.id,
                       due_date=due_date, due_at=due_at_of(due_date), warn_at=warn_at_of(due_date),
                       status=ImprovementStatus.open, created_by=actor_id, created_at=now, updated_at=now)
    db.session.add(item)
    db.session.flush()
    _event(item.id, actor_id, ImprovementAction.created)
    record("improvement", item.id, "create", actor_id=actor_id, after=snapshot(item, TRAIL_FIELDS))
    if notify:
        _tell([owner.id], "您有新的整改事项", f"整改事项“{title}”由您负责，请于 {due_date:%Y年%m月%d日} 前完成。")
    return item


def get(item_id: int) -> Improvement:
    return get_or_raise(Improvement, item_id, not_found)


def get_visible(member: Member, item_id: int) -> Improvement:
    """Staff see every item; an owner sees their own; anyone else gets 404, as for a missing id."""
    item = get(item_id)
    if not member.is_staff and item.owner_id != member.id:
        raise not_found()
    return item


def listing(*, status=None, owner_id=None, overdue=False, source=None, page=1, per_page=20,
            now: Optional[datetime] = None) -> tuple[list[Improvement], int]:
    """Overdue first, then by due time; two statements."""
    now = now or utcnow()
    where = []
    if status:
        where.append(Improvement.status == status)
    if owner_id:
        where.append(Improvement.owner_id == owner_id)
    if source:
        where.append(Improvement.source == source)
    if overdue:
        where.append(overdue_expr(now))
    total = db.session.scalar(select(func.count()).select_from(Improvement).where(*where))
    late_first = case((overdue_expr(now), 0), (Improvement.status == ImprovementStatus.open, 1), else_=2)
    rows = db.session.scalars(select(Improvement).where(*where)
                              .order_by(late_first, Improvement.due_at, Improvement.id)
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def _transition(item: Improvement, actor_id: Optional[int], from_statuses, values: dict, action: str,
                body: Optional[str], trail_action: str) -> Improvement:
    before = snapshot(item, TRAIL_FIELDS)
    done = db.session.execute(update(Improvement).where(Improvement.id == item.id,
                                                        Improvement.status.in_([str(s) for s in from_statuses]))
                              .values(updated_at=utcnow(), **values)
                              .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(item)
    if done != 1:
        raise AppError("invalid_transition", details={"status": str(item.status)})
    _event(item.id, actor_id, action, body)
    record("improvement", item.id, trail_action, actor_id=actor_id, before=before, after=snapshot(item, TRAIL_FIELDS))
    return item


def add_note(member: Member, item_id: int, body: str) -> Improvement:
    """A progress note by the owner or staff, while the item is open."""
    item = get_visible(member, item_id)
    if item.status != ImprovementStatus.open:
        raise AppError("invalid_transition", "整改事项已结束，不能再添加进展", details={"status": str(item.status)})
    _event(item.id, member.id, ImprovementAction.note, body)
    record("improvement", item.id, "note", actor_id=member.id, after={"body": body})
    return item


def complete(member: Member, item_id: int, result: str) -> Improvement:
    item = get_visible(member, item_id)
    item = _transition(item, member.id, [ImprovementStatus.open],
                       {"status": ImprovementStatus.done, "result": result, "closed_at": utcnow(),
                        "closed_by": member.id}, ImprovementAction.completed, result, "complete")
    if member.id != item.owner_id:
        _tell([item.owner_id], "整改事项已标记完成", f"整改事项“{item.title}”已由工作人员标记完成。")
    return item


def cancel(staff_id: int, item_id: int, reason: str) -> Improvement:
    item = _transition(get(item_id), staff_id, [ImprovementStatus.open],
                       {"status": ImprovementStatus.cancelled, "cancel_reason": reason, "closed_at": utcnow(),
                        "closed_by": staff_id}, ImprovementAction.cancelled, reason, "cancel")
    _tell([item.owner_id], "整改事项已取消", f"整改事项“{item.title}”已取消：{reason}")
    return item


def reopen(staff_id: int, item_id: int, due_date: Optional[date]) -> Improvement:
    """Back to open (the check of PDCA found it not done). A new due date restarts the clock's steps."""
    values: dict = {"status": ImprovementStatus.open, "result": None, "cancel_reason": None, "closed_at": None,
                    "closed_by": None}
    if due_date is not None:
        if due_date < local_date(utcnow()):
            raise invalid_request({"due_date": "整改期限不能早于今天"})
        values.update(due_date=due_date, due_at=due_at_of(due_date), warn_at=warn_at_of(due_date), warned_at=None,
                      escalation=0)
    item = _transition(get(item_id), staff_id, [ImprovementStatus.done, ImprovementStatus.cancelled], values,
                       ImprovementAction.reopened, None, "reopen")
    _tell([item.owner_id], "整改事项已重新打开",
          f"整改事项“{item.title}”已重新打开，请于 {item.due_date:%Y年%m月%d日} 前完成。")
    return item


def events_of(item_id: int) -> list[ImprovementEvent]:
    return list(db.session.scalars(select(ImprovementEvent).where(ImprovementEvent.improvement_id == item_id)
                                   .order_by(ImprovementEvent.at, ImprovementEvent.id)))


def names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
