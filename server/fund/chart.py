"""The seeded chart of categories: the income (4xx) and expense (5xx) accounts of the union accounting rules
(工会会计制度, 财会〔2009〕7号, the first-level 收入支出表 items). Admins add, rename and deactivate
categories afterwards; the migration inserts a frozen copy of this list."""
from __future__ import annotations

CHART: list[tuple[str, str, str]] = [
    ("401", "income", "会费收入"),
    ("402", "income", "拨缴经费收入"),
    ("403", "income", "上级补助收入"),
    ("404", "income", "政府补助收入"),
    ("405", "income", "行政补助收入"),
    ("406", "income", "事业收入"),
    ("407", "income", "投资收益"),
    ("408", "income", "其他收入"),
    ("501", "expense", "职工活动支出"),
    ("502", "expense", "维权支出"),
    ("503", "expense", "业务支出"),
    ("504", "expense", "行政支出"),
    ("505", "expense", "资本性支出"),
    ("506", "expense", "补助下级支出"),
    ("507", "expense", "事业支出"),
    ("508", "expense", "其他支出"),
]


def ensure_chart() -> int:
    """Insert the chart's categories that are missing (tests and a database made without migrations)."""
    from sqlalchemy import select

    from ..core.extensions import db
    from .models import FundCategory

    have = set(db.session.scalars(select(FundCategory.code)))
    added = 0
    for position, (code, kind, name) in enumerate(CHART):
        if code not in have:
            db.session.add(FundCategory(code=code, kind=kind, name=name, active=True, position=position * 10))
            added += 1
    db.session.flush()
    return added
