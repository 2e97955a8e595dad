"""Ledger rules: categories, entries with approval and reversals, budgets, the monthly publication.

Services never commit. Every write first takes the ledger lock (a transaction-scoped advisory lock on
PostgreSQL; SQLite's writers are serialised by BEGIN IMMEDIATE), so a publication and an entry written into
the same month at the same moment are ordered: the one that comes second sees the first. Every change is
recorded in the audit trail in the same transaction.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, Optional

from flask import current_app
from sqlalchemy import case, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from ..audit_trail.services import record, snapshot
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise, savepoint
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..uploads.attach import attach, register_reader
from . import chain
from .chain import ATTACH_KIND, month_bounds, month_of
from .models import FundBudget, FundCategory, FundEntry, FundEntryStatus, FundKind, FundMonth

log = logging.getLogger(__name__)
LEDGER_LOCK = 1601  # pg_advisory_xact_lock key of the fund ledger (notices use 7201)
MAX_ATTACHMENTS = 10
MONTH_PAGE = "pages/fund/month?month={month}"
ENTRY_FIELDS = ["id", "date", "kind", "category", "amount_fen", "counterparty", "note", "reverses", "status",
                "reject_reason"]
LEDGER_ROLES = ("treasurer", "admin")


def lock_ledger() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SELECT pg_advisory_xact_lock({LEDGER_LOCK})"))


def _may_read_invoice(member, _entry_id: int) -> bool:
    # Invoices may carry personal details (a member's name on a hardship grant): the ledger's keepers only.
    return member.has_any_role(LEDGER_ROLES)


register_reader(ATTACH_KIND, _may_read_invoice)


def names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())


# --- categories ------------------------------------------------------------------------------------

CATEGORY_FIELDS = ["code", "kind", "name", "active", "position"]


def categories(include_inactive: bool = True) -> list[FundCategory]:
    q = select(FundCategory).order_by(FundCategory.kind.desc(), FundCategory.position, FundCategory.code)
    if not include_inactive:
        q = q.where(FundCategory.active.is_(True))
    return list(db.session.scalars(q))


def category_names() -> dict[str, str]:
    return dict(db.session.execute(select(FundCategory.code, FundCategory.name)).all())


def add_category(actor_id: int, code: str, kind: str, name: str) -> FundCategory:
    lock_ledger()
    position = db.session.scalar(select(func.coalesce(func.max(FundCategory.position), 0))) + 10
    row = FundCategory(code=code, kind=kind, name=name, active=True, position=position)
    try:
        with savepoint():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise AppError("category_exists", f"科目编码 {code} 已存在") from None
    record("fund_category", code, "create", actor_id=actor_id, after=snapshot(row, CATEGORY_FIELDS))
    return row


def update_category(actor_id: int, code: str, changes: dict[str, Any]) -> FundCategory:
    """Rename or (de)activate; the kind never changes (entries of both kinds would then share it)."""
    lock_ledger()
    row = get_or_raise(FundCategory, code, lambda: AppError("not_found", "科目不存在"), lock=True)
    before = snapshot(row, CATEGORY_FIELDS)
    for key, value in changes.items():
        setattr(row, key, value)
    db.session.flush()
    after = snapshot(row, CATEGORY_FIELDS)
    if after != before:
        record("fund_category", code, "update", actor_id=actor_id, before=before, after=after)
    return row


def delete_category(actor_id: int, code: str) -> None:
    """Only a category nothing uses (no entry, no budget); a used one is deactivated instead (409)."""
    lock_ledger()
    row = get_or_raise(FundCategory, code, lambda: AppError("not_found", "科目不存在"), lock=True)
    used = db.session.scalar(select(func.count()).select_from(FundEntry).where(FundEntry.category == code)) or \
        db.session.scalar(select(func.count()).select_from(FundBudget).where(FundBudget.category == code))
    if used:
        raise AppError("invalid_transition", "该科目已被使用，不能删除，可以停用")
    before = snapshot(row, CATEGORY_FIELDS)
    db.session.delete(row)
    db.session.flush()
    record("fund_category", code, "delete", actor_id=actor_id, before=before)


# --- months: what is sealed ------------------------------------------------------------------------

def last_published() -> Optional[str]:
    return db.session.scalar(select(func.max(FundMonth.month)))


def must_be_open(d: date) -> None:
    """409 month_published for a date in a published month, or before the last one (months are published
    in order, so every month up to the last published one is sealed, even one left empty)."""
    last = last_published()
    if last is not None and month_of(d) <= last:
        raise AppError("month_published", f"{month_of(d)} 的经费收支已公开，不能修改；请在以后月份录入冲销分录")


def threshold() -> int:
    return int(current_app.config.get("FUND_APPROVAL_THRESHOLD_FEN", 500_000))


# --- entries ---------------------------------------------------------------------------------------

def entry_not_found() -> AppError:
    return AppError("not_found", "分录不存在")


def get_entry(entry_id: int, lock: bool = False) -> FundEntry:
    return get_or_raise(FundEntry, entry_id, entry_not_found, lock=lock)


def _entry_snapshot(entry: FundEntry) -> dict:
    out = snapshot(entry, ENTRY_FIELDS)
    out["attachments"] = chain.attachments_of([entry.id]).get(entry.id, [])
    return out


def _check_category(code: str, kind: str, field: str = "category") -> FundCategory:
    cat = db.session.get(FundCategory, code)
    if cat is None:
        raise invalid_request({field: "科目不存在"})
    if not cat.active:
        raise invalid_request({field: "科目已停用"})
    if cat.kind != kind:
        raise invalid_request({field: f"科目“{cat.name}”属于{FundKind(cat.kind).label}，与分录类型不符"})
    return cat


def _status_for(amount_fen: int) -> str:
    return FundEntryStatus.pending if amount_fen > threshold() else FundEntryStatus.approved


def _take_back(original_id: int, amount_fen: int) -> None:
    """Add to the original's reversed amount in one conditional UPDATE: two reversals at once never take
    back more than the entry (the second finds the condition false)."""
    done = db.session.execute(
        update(FundEntry).where(FundEntry.id == original_id,
                                FundEntry.reversed_fen + amount_fen <= FundEntry.amount_fen,
                                FundEntry.reversed_fen + amount_fen >= 0)
        .values(reversed_fen=FundEntry.reversed_fen + amount_fen)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        left = db.session.scalar(select(FundEntry.amount_fen - FundEntry.reversed_fen)
                                 .where(FundEntry.id == original_id))
        raise AppError("reversal_exceeds", f"冲销金额超过原分录尚未冲销的金额（剩余 {fen_text(left or 0)} 元）",
                       details={"left_fen": left or 0})


def create_entry(actor_id: int, *, date: date, kind: str, category: str, amount_fen: int, counterparty: str,
                 note: str = "", reverses: Optional[int] = None, attachments: list[str] = ()) -> FundEntry:
    """A new entry: approved at once up to the threshold, else pending an admin's approval. A reversal names
    an approved, earlier (or same-day) entry that is not itself a reversal, of the same kind and category."""
    lock_ledger()
    must_be_open(date)
    _check_category(category, kind)
    if reverses is not None:
        original = db.session.get(FundEntry, reverses)
        if original is None:
            raise invalid_request({"reverses": "被冲销的分录不存在"})
        if original.reverses is not None:
            raise invalid_request({"reverses": "不能冲销一条冲销分录"})
        if original.status != FundEntryStatus.approved:
            raise invalid_request({"reverses": "只能冲销已入账的分录"})
        if original.kind != kind or original.category != category:
            raise invalid_request({"reverses": "冲销分录的类型和科目必须与原分录相同"})
        if date < original.date:
            raise invalid_request({"date": "冲销日期不能早于原分录日期"})
        _take_back(original.id, amount_fen)
    entry = FundEntry(date=date, kind=kind, category=category, amount_fen=amount_fen, counterparty=counterparty,
                      note=note, reverses=reverses, reversed_fen=0, status=_status_for(amount_fen),
                      created_by=actor_id, created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    attach(list(attachments), owner_id=actor_id, kind=ATTACH_KIND, attached_id=entry.id, limit=MAX_ATTACHMENTS,
           pdf=True)
    record("fund_entry", entry.id, "create", actor_id=actor_id, after=_entry_snapshot(entry))
    return entry


def update_entry(actor_id: int, entry_id: int, changes: dict[str, Any]) -> FundEntry:
    """Change an entry of an unpublished month (its old and new dates both open). Its status is worked out
    again: a changed entry above the threshold waits for approval anew, whoever approved it before."""
    lock_ledger()
    entry = get_entry(entry_id, lock=True)
    must_be_open(entry.date)
    if "date" in changes:
        must_be_open(changes["date"])
    before = _entry_snapshot(entry)
    kind, category = changes.get("kind", entry.kind), changes.get("category", entry.category)
    if (kind, category) != (entry.kind, entry.category):
        if entry.reverses is not None:
            raise invalid_request({"category": "冲销分录的类型和科目必须与原分录相同"})
        if entry.reversed_fen:
            raise AppError("entry_reversed")
        _check_category(category, kind)
    amount = changes.get("amount_fen", entry.amount_fen)
    if amount < entry.reversed_fen:
        raise AppError("entry_reversed", "金额不能小于已被冲销的金额")
    if entry.reverses is not None:
        original = db.session.get(FundEntry, entry.reverses)
        if "date" in changes and changes["date"] < original.date:
            raise invalid_request({"date": "冲销日期不能早于原分录日期"})
        if amount != entry.amount_fen and entry.status != FundEntryStatus.rejected:
            _take_back(entry.reverses, amount - entry.amount_fen)
    material = any(k in changes and changes[k] != getattr(entry, k) for k in ("date", "kind", "category", "amount_fen"))
    for key, value in changes.items():
        setattr(entry, key, value)
    if entry.status == FundEntryStatus.rejected and entry.reverses is not None:
        # A rejected reversal took nothing back; changed, it asks again and takes its amount back now.
        _take_back(entry.reverses, entry.amount_fen)
    if material or entry.status == FundEntryStatus.rejected:
        entry.status = _status_for(entry.amount_fen)
        entry.decided_by = entry.decided_at = entry.reject_reason = None
    entry.updated_by, entry.updated_at = actor_id, utcnow()
    db.session.flush()
    record("fund_entry", entry.id, "update", actor_id=actor_id, before=before, after=_entry_snapshot(entry))
    return entry


def delete_entry(actor_id: int, entry_id: int) -> None:
    lock_ledger()
    entry = get_entry(entry_id, lock=True)
    must_be_open(entry.date)
    if entry.reversed_fen:
        raise AppError("entry_reversed")
    before = _entry_snapshot(entry)
    if entry.reverses is not None and entry.status != FundEntryStatus.rejected:
        _take_back(entry.reverses, -entry.amount_fen)
    from ..uploads.models import Upload

    # The invoices go back to their uploader, unattached (the orphan job sweeps them).
    db.session.execute(update(Upload).where(Upload.attached_kind == ATTACH_KIND, Upload.attached_id == entry.id)
                       .values(attached_kind=None, attached_id=None, position=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(FundEntry).where(FundEntry.id == entry.id).execution_options(synchronize_session=False))
    record("fund_entry", entry_id, "delete", actor_id=actor_id, before=before)


def decide(actor_id: int, entry_id: int, approve: bool, reason: Optional[str] = None) -> FundEntry:
    """An admin's approval or rejection of a pending entry; never by whoever created or last changed it
    (403 self_approval), never twice (409 invalid_transition)."""
    lock_ledger()
    entry = get_entry(entry_id, lock=True)
    must_be_open(entry.date)
    if actor_id in (entry.created_by, entry.updated_by):
        raise AppError("self_approval")
    if entry.status != FundEntryStatus.pending:
        raise AppError("invalid_transition", details={"status": str(entry.status)})
    before = _entry_snapshot(entry)
    entry.status = FundEntryStatus.approved if approve else FundEntryStatus.rejected
    entry.decided_by, entry.decided_at, entry.reject_reason = actor_id, utcnow(), reason
    if not approve and entry.reverses is not None:
        _take_back(entry.reverses, -entry.amount_fen)  # a rejected reversal takes nothing back
    db.session.flush()
    record("fund_entry", entry.id, "approve" if approve else "reject", actor_id=actor_id, before=before,
           after=_entry_snapshot(entry))
    return entry


def _entry_filters(month: Optional[str] = None, year: Optional[int] = None, kind: Optional[str] = None,
                   category: Optional[str] = None, status: Optional[str] = None) -> list:
    where = []
    if month:
        first, after = month_bounds(month)
        where += [FundEntry.date >= first, FundEntry.date < after]
    if year:
        where += [FundEntry.date >= date(year, 1, 1), FundEntry.date < date(year + 1, 1, 1)]
    if kind:
        where.append(FundEntry.kind == kind)
    if category:
        where.append(FundEntry.category == category)
    if status:
        where.append(FundEntry.status == status)
    return where


def list_entries(page: int, per_page: int, **filters) -> tuple[list[FundEntry], int]:
    where = _entry_filters(**filters)
    total = db.session.scalar(select(func.count()).select_from(FundEntry).where(*where))
    rows = db.session.scalars(select(FundEntry).where(*where).order_by(FundEntry.date.desc(), FundEntry.id.desc())
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def all_entries(**filters) -> list[FundEntry]:
    return list(db.session.scalars(select(FundEntry).where(*_entry_filters(**filters))
                                   .order_by(FundEntry.date, FundEntry.id)))


def published_months_of(entries: list[FundEntry]) -> set[str]:
    months = {month_of(e.date) for e in entries}
    if not months:
        return set()
    return set(db.session.scalars(select(FundMonth.month).where(FundMonth.month.in_(months))))


# --- totals ----------------------------------------------------------------------------------------

def signed_amount():
    """amount_fen, negative for a reversal: the SQL of what an approved entry adds to its totals."""
    return case((FundEntry.reverses.is_(None), FundEntry.amount_fen), else_=-FundEntry.amount_fen)


def by_category(first: date, after: date) -> list[tuple[str, str, str, int]]:
    """(code, name, kind, signed total in fen) of approved entries in [first, after), by the chart's order;
    only categories with entries."""
    rows = db.session.execute(
        select(FundCategory.code, FundCategory.name, FundCategory.kind, func.sum(signed_amount()))
        .join(FundEntry, FundEntry.category == FundCategory.code)
        .where(FundEntry.date >= first, FundEntry.date < after, FundEntry.status == FundEntryStatus.approved)
        .group_by(FundCategory.code, FundCategory.name, FundCategory.kind, FundCategory.position)
        .order_by(FundCategory.kind.desc(), FundCategory.position, FundCategory.code)).all()
    return [(code, name, kind, int(total or 0)) for code, name, kind, total in rows]


def fen_text(fen: int) -> str:
    """Fen as yuan with two decimals, by integer arithmetic (never a float)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


# --- publication -----------------------------------------------------------------------------------

def _previous(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"


def publish(actor_id: Optional[int], month: str, *, notify: bool = True) -> FundMonth:
    """Seal the month: its hash over its rows and the previous month's hash. Refused while the month is not
    over (Asia/Shanghai), while entries wait for approval, or when the previous calendar month is not
    published (unless nothing is published yet and no entry is earlier); once only (409 month_published)."""
    lock_ledger()
    if db.session.get(FundMonth, month, populate_existing=True) is not None:
        raise AppError("month_published", f"{month} 的经费收支已公开")
    first, after = month_bounds(month)
    if utcnow().astimezone(SHANGHAI).date() < after:
        raise AppError("month_not_over", f"{month} 尚未结束，下月起方可公开")
    pending = db.session.scalar(select(func.count()).select_from(FundEntry).where(
        FundEntry.date >= first, FundEntry.date < after, FundEntry.status == FundEntryStatus.pending))
    if pending:
        raise AppError("entries_pending", f"{month} 还有 {pending} 条待审批的分录", details={"pending": pending})
    last = last_published()
    prev_month = _previous(month)
    if last is None:
        earlier = db.session.scalar(select(func.count()).select_from(FundEntry).where(FundEntry.date < first))
        if earlier:
            raise AppError("previous_month_unpublished", f"{prev_month} 及以前的月份有分录尚未公开，请按月份顺序公开")
        prev_hash = None
    elif last != prev_month:
        raise AppError("previous_month_unpublished", f"请先公开 {prev_month}" if last < prev_month
                       else f"{month} 早于已公开的 {last}")
    else:
        prev_hash = db.session.scalar(select(FundMonth.hash).where(FundMonth.month == last))
    rows = chain.month_rows(month)
    income, expense = chain.totals_of(rows)
    row = FundMonth(month=month, income_fen=income, expense_fen=expense, entries_count=len(rows),
                    hash=chain.month_hash(month, prev_hash, rows), prev_hash=prev_hash, published_at=utcnow(),
                    published_by=actor_id)
    try:
        with savepoint():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # another publication of the month got there first (the primary key)
        raise AppError("month_published", f"{month} 的经费收支已公开") from None
    record("fund_month", month, "publish", actor_id=actor_id,
           after=snapshot(row, ["month", "income_fen", "expense_fen", "entries_count", "hash", "prev_hash"]))
    if notify:
        _tell_members(row)
    return row


def _tell_members(row: FundMonth) -> None:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    y, m = int(row.month[:4]), int(row.month[5:7])
    body = (f"{y}年{m}月工会经费收支已公开：收入 {fen_text(row.income_fen)} 元，支出 {fen_text(row.expense_fen)} 元。"
            "欢迎查看收支明细并监督。")
    if notices.tell({"all": True}, title=f"{y}年{m}月经费收支公开", body=body,
                    page=MONTH_PAGE.format(month=row.month), source=NoticeSource.fund) is None:
        log.info("fund month %s published: nobody to tell", row.month)


def get_month(month: str) -> FundMonth:
    row = db.session.get(FundMonth, month)
    if row is None:
        raise AppError("not_found", f"{month} 的经费收支尚未公开")
    return row


def list_months(page: int, per_page: int) -> tuple[list[FundMonth], int]:
    total = db.session.scalar(select(func.count()).select_from(FundMonth))
    rows = db.session.scalars(select(FundMonth).order_by(FundMonth.month.desc()).limit(per_page)
                              .offset((page - 1) * per_page))
    return list(rows), total


def month_entries(month: str) -> list[FundEntry]:
    """What members read of a published month: its approved entries (a rejected one never entered the books)."""
    first, after = month_bounds(month)
    return list(db.session.scalars(select(FundEntry).where(FundEntry.date >= first, FundEntry.date < after,
                                                           FundEntry.status == FundEntryStatus.approved)
                                   .order_by(FundEntry.date, FundEntry.id)))


# --- budgets ---------------------------------------------------------------------------------------

def put_budgets(actor_id: int, year: int, items: list[tuple[str, int]]) -> None:
    """The year's budget as given: listed categories set, others removed; each change in the audit trail."""
    lock_ledger()
    codes = [c for c, _ in items]
    if len(set(codes)) != len(codes):
        raise invalid_request({"items": "科目重复"})
    known = {c.code: c for c in db.session.scalars(select(FundCategory).where(FundCategory.code.in_(codes)))}
    bad = {f"items.{i}.category": "科目不存在" for i, c in enumerate(codes) if c not in known}
    if bad:
        raise invalid_request(bad)
    current = {b.category: b for b in db.session.scalars(select(FundBudget).where(FundBudget.year == year))}
    now = utcnow()
    for code, amount in items:
        row = current.pop(code, None)
        if row is None:
            db.session.add(FundBudget(year=year, category=code, amount_fen=amount, updated_by=actor_id,
                                      updated_at=now))
            record("fund_budget", f"{year}/{code}", "create", actor_id=actor_id, after={"amount_fen": amount})
        elif row.amount_fen != amount:
            record("fund_budget", f"{year}/{code}", "update", actor_id=actor_id,
                   before={"amount_fen": row.amount_fen}, after={"amount_fen": amount})
            row.amount_fen, row.updated_by, row.updated_at = amount, actor_id, now
    for code, row in current.items():
        record("fund_budget", f"{year}/{code}", "delete", actor_id=actor_id, before={"amount_fen": row.amount_fen})
        db.session.delete(row)
    db.session.flush()


def budget_report(year: int, *, published_only: bool) -> list[dict]:
    """Per category (budgeted, or with entries in the year): budget, actual, and the rate as text."""
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    if published_only:
        last = last_published()
        after = first if last is None or last < f"{year:04d}-01" else min(after, month_bounds(last)[1])
    actual = {code: total for code, _n, _k, total in by_category(first, after)} if after > first else {}
    budgets = dict(db.session.execute(select(FundBudget.category, FundBudget.amount_fen)
                                      .where(FundBudget.year == year)).all())
    out = []
    for cat in categories():
        if cat.code not in budgets and cat.code not in actual:
            continue
        budget, spent = budgets.get(cat.code), actual.get(cat.code, 0)
        out.append({"category": cat.code, "name": cat.name, "kind": cat.kind, "budget_fen": budget,
                    "actual_fen": spent, "rate": rate_text(spent, budget)})
    return out


def rate_text(actual: int, budget: Optional[int]) -> Optional[str]:
    """actual / budget as a percentage with two decimals, rounded half up, in integers; None without a budget."""
    if not budget:
        return None
    basis = (abs(actual) * 10000 * 2 + budget) // (2 * budget)  # hundredths of a percent
    return ("-" if actual < 0 else "") + f"{basis // 100}.{basis % 100:02d}"
