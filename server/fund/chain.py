"""The hash chain that seals published months.

A month's hash is sha256 over a canonical serialization (compact JSON, keys sorted, UTF-8) of
``{"month", "prev_hash", "entries"}`` where ``entries`` lists every entry row dated in the month, ordered by id,
each as ``[id, date, kind, category, amount_fen, counterparty, note, reverses, status, [attachment ids in
order]]``. ``prev_hash`` is the previous published month's hash (null for the first), so changing any sealed
row, moving one to another month by its date, deleting or inserting one breaks that month and every link
after it. ``verify()`` recomputes the chain from the stored rows in a handful of statements.
"""
from __future__ import annotations

import gc
import hashlib
import json
from collections import defaultdict
from datetime import date
from typing import Optional

from sqlalchemy import String, case, cast, func, select

from ..core.extensions import db
from ..uploads.models import Upload
from .models import FundEntry, FundMonth

ATTACH_KIND = "fund_entry"


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    """[first day, first day of the next month)."""
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, 1), date(y + (m == 12), m % 12 + 1, 1)


def _text_of_date(fmt: str):
    """The entry's date as text made by the database itself ('YYYY-MM-DD' or 'YYYY-MM'): no date object per row
    (100,000 rows in under 2 s)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(FundEntry.date, fmt)
    return func.substr(cast(FundEntry.date, String), 1, len(fmt))


def _columns():
    return (FundEntry.id, _text_of_date("YYYY-MM-DD"), FundEntry.kind, FundEntry.category, FundEntry.amount_fen,
            FundEntry.counterparty, FundEntry.note, FundEntry.reverses, FundEntry.status)


def _rows(first: date, after: date) -> list[tuple]:
    """(id, 'YYYY-MM-DD', kind, category, amount_fen, counterparty, note, reverses, status) of every entry dated
    in [first, after), ordered by id, as plain tuples (Core, no ORM rows)."""
    stmt = (select(*_columns()).where(FundEntry.date >= first, FundEntry.date < after).order_by(FundEntry.id))
    return db.session.connection().execute(stmt).fetchall()


NO_ATTACHMENTS: list[str] = []


def canonical_row(row, attachments: list[str]) -> tuple:
    """(id, date, kind, category, amount_fen, counterparty, note, reverses, status, [attachment ids])."""
    return (*row, attachments)


def month_hash(month: str, prev_hash: Optional[str], rows: list[list]) -> str:
    doc = {"month": month, "prev_hash": prev_hash, "entries": rows}
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def attachments_of(entry_ids) -> dict[int, list[str]]:
    """entry id -> its upload ids in their order, in one statement (every fund entry's when ``entry_ids`` is None)."""
    out: dict[int, list[str]] = defaultdict(list)
    q = select(Upload.attached_id, Upload.id).where(Upload.attached_kind == ATTACH_KIND)
    if entry_ids is not None:
        ids = list(entry_ids)
        if not ids:
            return out
        q = q.where(Upload.attached_id.in_(ids))
    for entry_id, upload_id in db.session.connection().execute(q.order_by(Upload.attached_id, Upload.position,
                                                                          Upload.id)):
        out[entry_id].append(upload_id)
    return out


def month_rows(month: str) -> list[list]:
    """The canonical rows of every entry dated in the month (any status), ordered by id."""
    rows = _rows(*month_bounds(month))
    att = attachments_of([r[0] for r in rows]) if rows else {}
    return [canonical_row(r, att.get(r[0], NO_ATTACHMENTS)) for r in rows]


def verify() -> tuple[bool, str | None]:
    """Recompute every published month's hash from the stored rows, in month order: (True, None) when the
    chain holds, else (False, the first month whose rows, totals or link to the previous month differ)."""
    months = db.session.execute(select(FundMonth.month, FundMonth.hash, FundMonth.prev_hash, FundMonth.income_fen,
                                       FundMonth.expense_fen, FundMonth.entries_count)
                                .order_by(FundMonth.month)).all()
    if not months:
        return True, None
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of short-lived tuples and no cycles: the collector would only slow it
    try:
        first, _ = month_bounds(months[0][0])
        _, after = month_bounds(months[-1][0])
        att = attachments_of(None)
        get = att.get
        # Every row dated within the published span, grouped by the month its date falls in (not by any
        # stored month), so a row moved to another month by its date breaks both.
        by_month: dict[str, list] = defaultdict(list)
        for r in _rows(first, after):
            by_month[r[1][:7]].append((*r, get(r[0], NO_ATTACHMENTS)))
        totals = _totals_by_month(first, after)
        prev: Optional[str] = None
        for month, stored, stored_prev, income, expense, count in months:
            rows = by_month.get(month, [])
            if stored_prev != prev or month_hash(month, prev, rows) != stored:
                return False, month
            if (*totals.get(month, (0, 0)), len(rows)) != (income, expense, count):
                return False, month
            prev = stored
        return True, None
    finally:
        if collecting:
            gc.enable()


def _totals_by_month(first: date, after: date) -> dict[str, tuple[int, int]]:
    """month -> (income, expense) in fen of approved entries, reversals negative, summed by the database."""
    key = _text_of_date("YYYY-MM")
    signed = case((FundEntry.reverses.is_(None), FundEntry.amount_fen), else_=-FundEntry.amount_fen)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for month, kind, total in db.session.connection().execute(
            select(key, FundEntry.kind, func.sum(signed))
            .where(FundEntry.date >= first, FundEntry.date < after, FundEntry.status == "approved")
            .group_by(key, FundEntry.kind)):
        out[month][0 if kind == "income" else 1] = int(total)
    return {m: (v[0], v[1]) for m, v in out.items()}


def totals_of(rows) -> tuple[int, int]:
    """(income, expense) in fen of approved canonical rows; a reversal (column 7 set) counts negatively."""
    income = expense = 0
    for r in rows:
        if r[8] != "approved":
            continue
        amount = -r[4] if r[7] is not None else r[4]
        if r[2] == "income":
            income += amount
        else:
            expense += amount
    return income, expense
