"""Award rules. Services never commit; every change goes to the audit trail in the same transaction. The
decision and the finalization are conditional UPDATEs of the status (409 invalid_transition for the second)."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..audit_trail import services as trail
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise, savepoint
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Department, Member
from ..workdays.calendar import working_days_deadline
from .models import Award, AwardNominee, AwardObjection, AwardStatus

log = logging.getLogger(__name__)
PAGE = "pages/awards/detail?id={id}"
FIELDS = ["title", "year", "criteria", "quota", "status", "decided_by", "decided_at", "objection_closes_at",
          "finalized_by", "finalized_at"]
NOMINEE_FIELDS = ["award_id", "member_id", "reason", "winner", "removed_reason"]


def not_found() -> AppError:
    return AppError("not_found", "评选不存在")


def get(award_id: int) -> Award:
    return get_or_raise(Award, award_id, not_found)


def get_for(member, award_id: int) -> Award:
    """Drafts are for staff only; members see awards in notice or final (404 otherwise)."""
    a = get(award_id)
    if a.status == AwardStatus.draft and not member.is_staff:
        raise not_found()
    return a


def objections_open(a: Award, now: datetime | None = None) -> bool:
    return a.status == AwardStatus.notice and (now or utcnow()) < a.objection_closes_at


def _tell(audience: dict, title: str, body: str, page: str) -> None:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    if notices.tell(audience, title=title, body=body, page=page, source=NoticeSource.award) is None:
        log.info("award notice %r: nobody to tell", title)


def _local(t: datetime) -> str:
    return t.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")


# --- drafting ----------------------------------------------------------------------------------------

def create(staff_id: int, *, title: str, year: int, criteria: str, quota: int) -> Award:
    a = Award(title=title, year=year, criteria=criteria, quota=quota, status=AwardStatus.draft, created_by=staff_id,
              created_at=utcnow())
    db.session.add(a)
    db.session.flush()
    trail.record("award", a.id, "create", actor_id=staff_id, after=trail.snapshot(a, FIELDS))
    return a


def _must_be_draft(a: Award) -> None:
    if a.status != AwardStatus.draft:
        raise AppError("award_not_draft")


def add_nominee(staff_id: int, award_id: int, member_id: int, reason: str) -> AwardNominee:
    a = get(award_id)
    _must_be_draft(a)
    if db.session.scalar(select(Member.id).where(Member.id == member_id, Member.is_active.is_(True))) is None:
        raise invalid_request({"member_id": "会员不存在或已停用"})
    n = AwardNominee(award_id=a.id, member_id=member_id, reason=reason, added_by=staff_id, created_at=utcnow())
    try:
        with savepoint():
            db.session.add(n)
            db.session.flush()
    except IntegrityError:
        raise AppError("already_nominated", "该会员已在本次评选的提名中") from None
    trail.record("award_nominee", n.id, "create", actor_id=staff_id, after=trail.snapshot(n, NOMINEE_FIELDS))
    return n


def remove_nominee(staff_id: int, award_id: int, nominee_id: int) -> Award:
    a = get(award_id)
    _must_be_draft(a)
    n = db.session.get(AwardNominee, nominee_id)
    if n is None or n.award_id != a.id:
        raise AppError("not_found", "提名不存在")
    before = trail.snapshot(n, NOMINEE_FIELDS)
    db.session.execute(delete(AwardNominee).where(AwardNominee.id == n.id))
    trail.record("award_nominee", nominee_id, "delete", actor_id=staff_id, before=before)
    return a


# --- decision, objections, final list ----------------------------------------------------------------

def decide(staff_id: int, award_id: int, winners: list[int], *, notify: bool = True,
           now: datetime | None = None) -> Award:
    """Winners among the nominees (at most the quota) and the notice period, which ends within
    AWARD_NOTICE_WORKING_DAYS working days; every member is told."""
    a = get(award_id)
    _must_be_draft(a)
    chosen = list(dict.fromkeys(winners))
    if len(chosen) > a.quota:
        raise AppError("too_many_winners", f"名额为 {a.quota} 人，拟表彰 {len(chosen)} 人",
                       details={"quota": a.quota, "winners": len(chosen)})
    known = set(db.session.scalars(select(AwardNominee.id).where(AwardNominee.award_id == a.id,
                                                                 AwardNominee.id.in_(chosen))))
    if len(known) != len(chosen):
        raise invalid_request({"winners": "拟表彰人选必须来自本次评选的提名"})
    now = now or utcnow()
    closes = working_days_deadline(now, current_app.config["AWARD_NOTICE_WORKING_DAYS"])
    before = trail.snapshot(a, FIELDS)
    done = db.session.execute(update(Award).where(Award.id == a.id, Award.status == AwardStatus.draft)
                              .values(status=AwardStatus.notice, decided_by=staff_id, decided_at=now,
                                      objection_closes_at=closes)
                              .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AppError("award_not_draft")
    db.session.execute(update(AwardNominee).where(AwardNominee.id.in_(chosen)).values(winner=True)
                       .execution_options(synchronize_session=False))
    db.session.refresh(a)
    trail.record("award", a.id, "decide", actor_id=staff_id, before=before,
                 after={**trail.snapshot(a, FIELDS), "winners": sorted(chosen)})
    if notify:
        _tell({"all": True}, f"评优公示：{a.title}",
              f"{a.year}年“{a.title}”拟表彰名单公示中，公示期至 {_local(closes)}。"
              "如有异议，可实名或通过匿名意见箱反映。",
              PAGE.format(id=a.id))
    return a


def object_to(member_id: int, award_id: int, nominee_id: int | None, body: str) -> AwardObjection:
    a = get_for_member_id(award_id)
    if not objections_open(a):
        closes = a.objection_closes_at.astimezone(SHANGHAI).isoformat() if a.objection_closes_at else None
        raise AppError("objection_closed", details={"closes_at": closes})
    if nominee_id is not None:
        n = db.session.get(AwardNominee, nominee_id)
        if n is None or n.award_id != a.id or not n.winner:
            raise invalid_request({"nominee_id": "异议对象须为本次公示名单中的人选"})
    o = AwardObjection(award_id=a.id, nominee_id=nominee_id, member_id=member_id, body=body, created_at=utcnow())
    db.session.add(o)
    db.session.flush()
    return o


def get_for_member_id(award_id: int) -> Award:
    a = get(award_id)
    if a.status == AwardStatus.draft:
        raise not_found()
    return a


def finalize(staff_id: int, award_id: int, removals: list[dict], *, notify: bool = True) -> Award:
    """The final list after the notice period: the winners, less those removed after an upheld objection
    (each with its reason); every member is told."""
    a = get(award_id)
    if a.status != AwardStatus.notice:
        raise AppError("invalid_transition", details={"status": str(a.status)})
    if objections_open(a):
        raise AppError("notice_period_open", f"公示期至 {_local(a.objection_closes_at)}，届满后方可确定最终名单",
                       details={"closes_at": a.objection_closes_at.astimezone(SHANGHAI).isoformat()})
    reasons = {r["nominee_id"]: r["reason"] for r in removals}
    if len(reasons) != len(removals):
        raise invalid_request({"removals": "同一人选重复"})
    winners = {n.id: n for n in db.session.scalars(select(AwardNominee).where(AwardNominee.award_id == a.id,
                                                                               AwardNominee.winner.is_(True)))}
    if any(i not in winners for i in reasons):
        raise invalid_request({"removals": "只能取消公示名单中的人选"})
    before = trail.snapshot(a, FIELDS)
    done = db.session.execute(update(Award).where(Award.id == a.id, Award.status == AwardStatus.notice)
                              .values(status=AwardStatus.final, finalized_by=staff_id, finalized_at=utcnow())
                              .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AppError("invalid_transition")
    for nid, reason in reasons.items():
        n = winners[nid]
        nb = trail.snapshot(n, NOMINEE_FIELDS)
        n.removed_reason = reason
        db.session.flush()
        trail.record("award_nominee", n.id, "remove", actor_id=staff_id, before=nb,
                     after=trail.snapshot(n, NOMINEE_FIELDS))
    db.session.refresh(a)
    final = sorted(i for i in winners if i not in reasons)
    trail.record("award", a.id, "finalize", actor_id=staff_id, before=before,
                 after={**trail.snapshot(a, FIELDS), "final": final, "removed": sorted(reasons)})
    if notify:
        _tell({"all": True}, f"评优结果公布：{a.title}",
              f"{a.year}年“{a.title}”公示期满，最终表彰名单已公布（{len(final)}人）。", PAGE.format(id=a.id))
    return a


# --- reading -----------------------------------------------------------------------------------------

def listing(viewer, status: str | None, page: int, per_page: int) -> tuple[list[Award], int]:
    q = select(Award)
    if not viewer.is_staff:
        q = q.where(Award.status != AwardStatus.draft)
    if status:
        q = q.where(Award.status == status)
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(Award.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def nominees_of(award_id: int, winners_only: bool):
    q = (select(AwardNominee, Member.name, Department.name.label("department"))
         .join(Member, Member.id == AwardNominee.member_id)
         .outerjoin(Department, Department.id == Member.department_id)
         .where(AwardNominee.award_id == award_id))
    if winners_only:
        q = q.where(AwardNominee.winner.is_(True))
    return db.session.execute(q.order_by(AwardNominee.winner.desc(), AwardNominee.id)).all()


def winners_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db.session.execute(select(AwardNominee.award_id, func.count())
                                   .where(AwardNominee.award_id.in_(ids), AwardNominee.winner.is_(True),
                                          AwardNominee.removed_reason.is_(None))
                                   .group_by(AwardNominee.award_id)).all())


def objection_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db.session.execute(select(AwardObjection.award_id, func.count())
                                   .where(AwardObjection.award_id.in_(ids))
                                   .group_by(AwardObjection.award_id)).all())


def objections(award_id: int):
    get(award_id)
    nominee = select(AwardNominee.id, Member.name).join(Member, Member.id == AwardNominee.member_id).subquery()
    author = Member.__table__.alias("author")
    return db.session.execute(
        select(AwardObjection, author.c.name.label("author_name"), nominee.c.name.label("nominee_name"))
        .join(author, author.c.id == AwardObjection.member_id)
        .outerjoin(nominee, nominee.c.id == AwardObjection.nominee_id)
        .where(AwardObjection.award_id == award_id).order_by(AwardObjection.id)).all()
