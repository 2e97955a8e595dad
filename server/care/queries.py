"""Lists and figures: the staff list, the member's own cases, the chair's access log, the statistics for the
effectiveness report (counts and money totals, no names). Each in a fixed number of statements."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from ..audit_trail.models import AuditTrailEntry
from ..core.extensions import db
from ..core.timeutil import SHANGHAI
from ..members.models import Department, Member
from .access import for_details, is_chair, listed, not_found
from .models import CareCase, CareGrant, CareGrantKind, CareHandler, CareStage, CareStageEvent
from .services import ENTITY

READ_ACTIONS = ("read", "download")


def _page(q, order, page: int, per_page: int):
    total = db.session.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
    rows = db.session.execute(q.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def staff_list(viewer, *, stage=None, category=None, mine=False, page=1, per_page=20):
    """(rows of (case, member name, department), handler names by case id, total)."""
    q = (select(CareCase, Member.name, Department.name.label("department"))
         .join(Member, Member.id == CareCase.member_id)
         .outerjoin(Department, Department.id == Member.department_id))
    if mine:
        q = q.where(CareCase.id.in_(select(CareHandler.case_id).where(CareHandler.member_id == viewer.id)))
    else:
        cond = listed(viewer)
        if cond is not None:
            q = q.where(cond)
    if stage:
        q = q.where(CareCase.stage == stage)
    if category:
        q = q.where(CareCase.category == category)
    rows, total = _page(q, (CareCase.updated_at.desc(), CareCase.id.desc()), page, per_page)
    return rows, handler_names([r[0].id for r in rows]), total


def handler_names(case_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in case_ids}
    if case_ids:
        for cid, name in db.session.execute(
                select(CareHandler.case_id, Member.name).join(Member, Member.id == CareHandler.member_id)
                .where(CareHandler.case_id.in_(case_ids)).order_by(CareHandler.added_at, Member.id)).all():
            out[cid].append(name)
    return out


def my_cases(member_id: int, page: int, per_page: int):
    q = select(CareCase).where(CareCase.member_id == member_id)
    rows, total = _page(q, (CareCase.id.desc(),), page, per_page)
    cases = [r[0] for r in rows]
    return cases, timelines([c.id for c in cases]), total


def timelines(case_ids: list[int]) -> dict[int, list[CareStageEvent]]:
    out: dict[int, list[CareStageEvent]] = {i: [] for i in case_ids}
    if case_ids:
        for e in db.session.scalars(select(CareStageEvent).where(CareStageEvent.case_id.in_(case_ids))
                                    .order_by(CareStageEvent.at, CareStageEvent.id)):
            out[e.case_id].append(e)
    return out


def reads(viewer, case_id: int, page: int, per_page: int):
    """The reads and downloads of a case's details, newest first: the chair only (404 for everyone else)."""
    if not is_chair(viewer):
        raise not_found()
    for_details(viewer, case_id)
    q = (select(AuditTrailEntry, Member.name).outerjoin(Member, Member.id == AuditTrailEntry.actor_id)
         .where(AuditTrailEntry.entity == ENTITY, AuditTrailEntry.entity_id == str(case_id),
                AuditTrailEntry.action.in_(READ_ACTIONS)))
    return _page(q, (AuditTrailEntry.id.desc(),), page, per_page)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return (datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC))


def stats(year: int | None) -> dict:
    """Cases opened in the year (or ever) by stage and category; their grants by kind with money totals; how
    many were closed. Purged cases count too: the stub keeps what these figures need."""
    where = []
    if year is not None:
        first, after = _year_bounds(year)
        where = [CareCase.opened_at >= first, CareCase.opened_at < after]
    by_stage = {str(s): 0 for s in CareStage}
    by_stage.update(dict(db.session.execute(select(CareCase.stage, func.count()).where(*where)
                                            .group_by(CareCase.stage)).all()))
    by_category = dict(db.session.execute(select(CareCase.category, func.count()).where(*where)
                                          .group_by(CareCase.category)).all())
    grants = db.session.execute(
        select(CareGrant.kind, func.count(), func.coalesce(func.sum(CareGrant.amount_fen), 0))
        .join(CareCase, CareCase.id == CareGrant.case_id).where(*where).group_by(CareGrant.kind)).all()
    return {"year": year, "opened": sum(by_stage.values()), "by_stage": by_stage, "by_category": by_category,
            "grants": {str(k): {"count": 0, "amount_fen": 0} for k in CareGrantKind}
            | {k: {"count": n, "amount_fen": int(s)} for k, n, s in grants},
            "closed": by_stage[CareStage.closed]}
