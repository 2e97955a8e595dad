"""Audits: creation from the kind's template, automatic figures, marking, findings, the close.
Services never commit. Changes to results are appended to the audit trail (entity ``audit``)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from ..audit_trail.services import record
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise, savepoint
from ..core.timeutil import utcnow
from ..improvements import services as improvements
from ..improvements.models import Improvement, ImprovementSource
from .checklist import TEMPLATES, Period, parse_period
from .models import Audit, AuditItem, AuditKind, AuditResult, AuditStatus


def not_found() -> AppError:
    return AppError("not_found", "审计不存在")


def item_not_found() -> AppError:
    return AppError("not_found", "审计项目不存在")


def period_of(audit: Audit) -> Period:
    return parse_period(audit.kind, audit.period)


def _must_be_open(audit: Audit) -> None:
    if audit.status != AuditStatus.open:
        raise AppError("invalid_transition", "审计已结束，不能再修改", details={"status": str(audit.status)})


def _fill(item: AuditItem, kind: str, period: Period, now) -> None:
    compute = {k: c for k, _, c in TEMPLATES[kind]}.get(item.key)
    if compute is None:
        return
    fig = compute(period, now)
    item.figure, item.value, item.computation = fig["figure"][:200], fig["value"], fig["computation"]
    item.suggested, item.computed_at = fig["suggested"], now


def create(staff_id: int, kind: str, period_text: str) -> Audit:
    """The checklist from the kind's template, automatic items filled. 409 audit_exists for a second audit of
    the same kind and period (the unique key decides, also for two at once)."""
    period = parse_period(kind, period_text)
    if period is None:
        raise invalid_request({"period": "经费审计填写如 2026H2，程序审计填写如 2026"})
    now = utcnow()
    if period.start > now:
        raise invalid_request({"period": "审计期间尚未开始"})
    audit = Audit(kind=kind, period=period_text, status=AuditStatus.open, created_by=staff_id, created_at=now,
                  refreshed_at=now)
    try:
        with savepoint():
            db.session.add(audit)
            db.session.flush()
    except IntegrityError:
        raise AppError("audit_exists", f"{AuditKind(kind).label} {period_text} 已存在") from None
    for pos, (key, label, compute) in enumerate(TEMPLATES[kind], start=1):
        item = AuditItem(audit_id=audit.id, key=key, position=pos, label=label, automatic=compute is not None)
        _fill(item, kind, period, now)
        db.session.add(item)
    db.session.flush()
    record("audit", audit.id, "create", actor_id=staff_id, after={"kind": kind, "period": period_text})
    return audit


def get(audit_id: int, lock: bool = False) -> Audit:
    return get_or_raise(Audit, audit_id, not_found, lock=lock)


def listing(kind: Optional[str], status: Optional[str], page: int, per_page: int) -> tuple[list[Audit], int]:
    where = []
    if kind:
        where.append(Audit.kind == kind)
    if status:
        where.append(Audit.status == status)
    total = db.session.scalar(select(func.count()).select_from(Audit).where(*where))
    rows = db.session.scalars(select(Audit).where(*where).order_by(Audit.period.desc(), Audit.id.desc())
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def items_of(audit: Audit) -> list[AuditItem]:
    items = list(db.session.scalars(select(AuditItem).where(AuditItem.audit_id == audit.id)
                                    .order_by(AuditItem.position)))
    return items


def counts(audit_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """audit id → (items, answered, failed), one statement."""
    if not audit_ids:
        return {}
    rows = db.session.execute(select(AuditItem.audit_id, func.count(),
                                     func.sum(case((AuditItem.result.is_not(None), 1), else_=0)),
                                     func.sum(case((AuditItem.result == AuditResult.fail, 1), else_=0)))
                              .where(AuditItem.audit_id.in_(audit_ids)).group_by(AuditItem.audit_id)).all()
    return {a: (int(n), int(ans or 0), int(f or 0)) for a, n, ans, f in rows}


def findings_of(audit_ids: list[int]) -> list[Improvement]:
    if not audit_ids:
        return []
    return list(db.session.scalars(select(Improvement).where(Improvement.audit_id.in_(audit_ids))
                                   .order_by(Improvement.id)))


def refresh(staff_id: int, audit_id: int) -> Audit:
    """Recompute the automatic figures (an audit is often opened before the period's last data is in)."""
    audit = get(audit_id, lock=True)
    _must_be_open(audit)
    now = utcnow()
    period = period_of(audit)
    changed = {}
    for item in items_of(audit):
        before = item.figure
        _fill(item, audit.kind, period, now)
        if item.automatic and item.figure != before:
            changed[item.key] = {"before": before, "after": item.figure}
    audit.refreshed_at = now
    db.session.flush()
    if changed:
        record("audit", audit.id, "refresh", actor_id=staff_id, after=changed)
    return audit


def _item(audit: Audit, item_id: int) -> AuditItem:
    item = db.session.scalar(select(AuditItem).where(AuditItem.id == item_id, AuditItem.audit_id == audit.id))
    if item is None:
        raise item_not_found()
    return item


def mark(staff_id: int, audit_id: int, item_id: int, result: str, note: Optional[str]) -> Audit:
    """Staff's answer for one item: pass, fail or na, with a note (a fail needs one). The audit's row is locked
    first, so a mark and the close are serialised: a mark never lands on a closed audit."""
    audit = get(audit_id, lock=True)
    _must_be_open(audit)
    item = _item(audit, item_id)
    if result == AuditResult.fail and not (note or "").strip():
        raise invalid_request({"note": "判定不符合时请说明问题"})
    before = {"result": item.result, "note": item.note}
    item.result, item.note, item.marked_by, item.marked_at = result, note, staff_id, utcnow()
    db.session.flush()
    record("audit_item", item.id, "mark", actor_id=staff_id, before=before, after={"result": result, "note": note})
    return audit


def add_finding(staff_id: int, audit_id: int, item_id: int, *, title: str, owner_id: int, due_date: date,
                description: str = "", notify: bool = True) -> Improvement:
    """A failed item becomes an improvement item (source audit). 409 item_not_failed otherwise."""
    audit = get(audit_id)
    item = _item(audit, item_id)
    if item.result != AuditResult.fail:
        raise AppError("item_not_failed")
    description = description or f"{AuditKind(audit.kind).label} {audit.period}：{item.label}。{item.note or ''}"
    return improvements.create(staff_id, title=title, owner_id=owner_id, due_date=due_date,
                               description=description, source=ImprovementSource.audit, audit_id=audit.id,
                               audit_item_id=item.id, notify=notify)


def close(staff_id: int, audit_id: int) -> Audit:
    """Close once every item is answered: one conditional UPDATE, so an item unmarked meanwhile or a second
    close is refused. 409 audit_incomplete names the items left. The row is locked first, as marks lock it,
    so the check below reads every mark committed before the close."""
    audit = get(audit_id, lock=True)
    _must_be_open(audit)
    unanswered = exists().where(AuditItem.audit_id == audit.id, AuditItem.result.is_(None))
    done = db.session.execute(update(Audit).where(Audit.id == audit.id, Audit.status == AuditStatus.open, ~unanswered)
                              .values(status=AuditStatus.closed, closed_at=utcnow(), closed_by=staff_id)
                              .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(audit)
    if done != 1:
        if audit.status != AuditStatus.open:
            raise AppError("invalid_transition", details={"status": str(audit.status)})
        left = [i.id for i in items_of(audit) if i.result is None]
        raise AppError("audit_incomplete", f"还有 {len(left)} 个项目未判定", details={"items": left})
    record("audit", audit.id, "close", actor_id=staff_id, before={"status": "open"}, after={"status": "closed"})
    return audit
