"""Members found by name for another member to pick (a proposal's co-signers, a craftsman nominee): names and
departments only, never phones or employee numbers, at most 20."""
from __future__ import annotations

from sqlalchemy import select

from ..core.extensions import db
from .models import Department, Member


def by_name(q: str, exclude_id: int | None = None, limit: int = 20) -> list:
    """Active members whose name contains ``q`` (its LIKE wildcards taken literally), by name: rows of
    (id, name, department)."""
    like = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = (select(Member.id, Member.name, Department.name.label("department"))
            .outerjoin(Department, Department.id == Member.department_id)
            .where(Member.is_active.is_(True), Member.name.like(f"%{like}%", escape="\\")))
    if exclude_id is not None:
        stmt = stmt.where(Member.id != exclude_id)
    return db.session.execute(stmt.order_by(Member.name, Member.id).limit(limit)).all()
