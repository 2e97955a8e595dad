"""Craftsman-star rules. Services never commit.

Stages follow the round's times: nominations until ``nomination_closes_at``, committee reviews until
``review_closes_at``; then staff open the public vote (a vote of the votes domain, created and published
through its services, audience all, max_choices = winners) and, once it has closed, publish the winners.

Shortlist: a nomination is shortlisted when a strict majority of the committee members who reviewed it
approved it (at least one review). Winners: the top ``winners`` by the vote's total (online plus a
confirmed paper count); ties are broken by more committee approvals, then the earlier nomination.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise, savepoint
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Department, Member
from ..uploads.attach import attach, register_reader
from ..uploads.models import Upload
from .models import (
    CraftsmanCommittee,
    CraftsmanNomination,
    CraftsmanReview,
    CraftsmanRound,
    CraftsmanStage,
    CraftsmanWinner,
)

log = logging.getLogger(__name__)
UPLOAD_KIND = "craftsman_nomination"
MAX_PHOTOS = 6


def round_not_found() -> AppError:
    return AppError("not_found", "评选不存在")


def nomination_not_found() -> AppError:
    return AppError("not_found", "推荐不存在")


def get_round(round_id: int, lock: bool = False) -> CraftsmanRound:
    return get_or_raise(CraftsmanRound, round_id, round_not_found, lock=lock)


def get_nomination(nomination_id: int) -> CraftsmanNomination:
    return get_or_raise(CraftsmanNomination, nomination_id, nomination_not_found)


def stage(r: CraftsmanRound, now: datetime | None = None) -> CraftsmanStage:
    now = now or utcnow()
    if r.status == CraftsmanStage.published:
        return CraftsmanStage.published
    if r.status == CraftsmanStage.voting:
        return CraftsmanStage.voting if now < r.vote_closes_at else CraftsmanStage.counting
    if now < r.nomination_closes_at:
        return CraftsmanStage.nominating
    if now < r.review_closes_at:
        return CraftsmanStage.reviewing
    return CraftsmanStage.shortlisted


def _notify(member_ids: list[int] | None, title: str, body: str, page: str) -> None:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    audience = {"all": True} if member_ids is None else {"member_ids": sorted(set(member_ids))}
    if notices.tell(audience, title=title, body=body, page=page, source=NoticeSource.craftsman) is None:
        log.info("craftsman notice %r: nobody to tell", title)


# --- who may see what --------------------------------------------------------------------------------

def committee_of(round_id: int) -> list[int]:
    return list(db.session.scalars(select(CraftsmanCommittee.member_id).where(CraftsmanCommittee.round_id == round_id)
                                   .order_by(CraftsmanCommittee.member_id)))


def on_committee(member_id: int, round_id: int) -> bool:
    return db.session.get(CraftsmanCommittee, (round_id, member_id)) is not None


def sees_all(member, r: CraftsmanRound) -> bool:
    """Staff and the round's committee see every nomination; members only the shortlist after the review."""
    return member.is_staff or on_committee(member.id, r.id)


def shortlist_public(r: CraftsmanRound) -> bool:
    return stage(r) not in (CraftsmanStage.nominating, CraftsmanStage.reviewing)


def _approved():
    """A subquery: nomination_id, reviews, approvals."""
    return (select(CraftsmanReview.nomination_id,
                   func.count().label("reviews"),
                   func.sum(case((CraftsmanReview.approve.is_(True), 1), else_=0)).label("approvals"))
            .group_by(CraftsmanReview.nomination_id).subquery("tally"))


def shortlisted_condition(tally):
    return and_(tally.c.reviews > 0, tally.c.approvals * 2 > tally.c.reviews)


def _may_read_photo(member, nomination_id: int) -> bool:
    n = db.session.get(CraftsmanNomination, nomination_id)
    if n is None:
        return False
    r = get_round(n.round_id)
    if sees_all(member, r) or member.id in (n.nominated_by, n.nominee_id):
        return True
    return shortlist_public(r) and n.id in shortlisted_ids(r.id)


register_reader(UPLOAD_KIND, _may_read_photo)


# --- rounds ------------------------------------------------------------------------------------------

def create_round(staff_id: int, *, year: int, title: str, nomination_closes_at: datetime, review_closes_at: datetime,
                 vote_opens_at: datetime, vote_closes_at: datetime, winners: int, committee: list[int],
                 notify: bool = True) -> CraftsmanRound:
    bad = {}
    if not nomination_closes_at <= review_closes_at <= vote_opens_at < vote_closes_at:
        bad["vote_closes_at"] = "时间须依次为：推荐截止 ≤ 评审截止 ≤ 投票开始 < 投票截止"
    members = set(db.session.scalars(select(Member.id).where(Member.id.in_(committee), Member.is_active.is_(True))))
    if set(committee) - members:
        bad["committee"] = "评审委员须为名册中的会员"
    if bad:
        raise invalid_request(bad)
    r = CraftsmanRound(year=year, title=title, nomination_closes_at=nomination_closes_at,
                       review_closes_at=review_closes_at, vote_opens_at=vote_opens_at, vote_closes_at=vote_closes_at,
                       winners=winners, status=CraftsmanStage.open, created_by=staff_id, created_at=utcnow())
    try:
        with savepoint():
            db.session.add(r)
            db.session.flush()
    except IntegrityError:
        raise AppError("round_exists", f"{year} 年度已有工匠之星评选") from None
    db.session.execute(insert(CraftsmanCommittee), [{"round_id": r.id, "member_id": m} for m in sorted(members)])
    if notify and nomination_closes_at > utcnow():
        closes = nomination_closes_at.astimezone(SHANGHAI).strftime("%m月%d日")
        _notify(None, f"{title}开始推荐", f"“{title}”开始接受推荐（可自荐或推荐他人），截止 {closes}。",
                f"pages/craftsman/round?id={r.id}")
    return r


def list_rounds(page: int, per_page: int) -> tuple[list[CraftsmanRound], int]:
    total = db.session.scalar(select(func.count()).select_from(CraftsmanRound))
    rows = db.session.scalars(select(CraftsmanRound).order_by(CraftsmanRound.year.desc())
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def nomination_counts(round_ids: list[int]) -> dict[int, int]:
    if not round_ids:
        return {}
    return dict(db.session.execute(select(CraftsmanNomination.round_id, func.count())
                                   .where(CraftsmanNomination.round_id.in_(round_ids))
                                   .group_by(CraftsmanNomination.round_id)).all())


def committees(round_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {i: [] for i in round_ids}
    if round_ids:
        for rid, mid, name in db.session.execute(
                select(CraftsmanCommittee.round_id, Member.id, Member.name)
                .join(Member, Member.id == CraftsmanCommittee.member_id)
                .where(CraftsmanCommittee.round_id.in_(round_ids)).order_by(Member.id)):
            out[rid].append((mid, name))
    return out


# --- nominations -------------------------------------------------------------------------------------

def must_be_nominating(r: CraftsmanRound) -> None:
    if stage(r) != CraftsmanStage.nominating:
        raise AppError("nomination_closed")


def nominate(member_id: int, round_id: int, *, nominee_id: int, reason: str, evidence: str,
             photos: list[str]) -> CraftsmanNomination:
    r = get_round(round_id)
    must_be_nominating(r)
    if db.session.scalar(select(Member.id).where(Member.id == nominee_id, Member.is_active.is_(True))) is None:
        raise invalid_request({"nominee_id": "被推荐人不在名册中"})
    n = CraftsmanNomination(round_id=r.id, nominee_id=nominee_id, nominated_by=member_id, reason=reason,
                            evidence=evidence, created_at=utcnow())
    try:
        with savepoint():
            db.session.add(n)
            db.session.flush()
    except IntegrityError:
        raise AppError("already_nominated") from None
    attach(photos, owner_id=member_id, kind=UPLOAD_KIND, attached_id=n.id, limit=MAX_PHOTOS)
    return n


def review(member_id: int, nomination_id: int, approve: bool, comment: str) -> CraftsmanNomination:
    n = get_nomination(nomination_id)
    r = get_round(n.round_id)
    if not on_committee(member_id, r.id):
        raise AppError("forbidden", "只有本届评审委员可以评审")
    if stage(r) not in (CraftsmanStage.nominating, CraftsmanStage.reviewing):
        raise AppError("review_closed")
    try:
        with savepoint():
            db.session.add(CraftsmanReview(nomination_id=n.id, member_id=member_id, approve=approve, comment=comment,
                                           created_at=utcnow()))
            db.session.flush()
    except IntegrityError:
        raise AppError("already_reviewed") from None
    return n


def list_nominations(r: CraftsmanRound, only_shortlisted: bool, page: int, per_page: int):
    """(nomination, reviews, approvals) rows, in nomination order."""
    tally = _approved()
    where = [CraftsmanNomination.round_id == r.id]
    if only_shortlisted:
        where.append(shortlisted_condition(tally))
    base = select(CraftsmanNomination, func.coalesce(tally.c.reviews, 0), func.coalesce(tally.c.approvals, 0)) \
        .outerjoin(tally, tally.c.nomination_id == CraftsmanNomination.id).where(*where)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(base.order_by(CraftsmanNomination.id).limit(per_page).offset((page - 1) * per_page))
    return [tuple(x) for x in rows], total


def nominations_by_id(ids: list[int]):
    tally = _approved()
    return [tuple(x) for x in db.session.execute(
        select(CraftsmanNomination, func.coalesce(tally.c.reviews, 0), func.coalesce(tally.c.approvals, 0))
        .outerjoin(tally, tally.c.nomination_id == CraftsmanNomination.id)
        .where(CraftsmanNomination.id.in_(ids)).order_by(CraftsmanNomination.id))]


def shortlisted_ids(round_id: int) -> list[int]:
    tally = _approved()
    return list(db.session.scalars(select(CraftsmanNomination.id)
                                   .join(tally, tally.c.nomination_id == CraftsmanNomination.id)
                                   .where(CraftsmanNomination.round_id == round_id, shortlisted_condition(tally))
                                   .order_by(CraftsmanNomination.id)))


def photos_of(nomination_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in nomination_ids}
    if nomination_ids:
        for aid, uid in db.session.execute(select(Upload.attached_id, Upload.id)
                                           .where(Upload.attached_kind == UPLOAD_KIND,
                                                  Upload.attached_id.in_(nomination_ids))
                                           .order_by(Upload.attached_id, Upload.position)):
            out[aid].append(uid)
    return out


def my_reviews(member_id: int, nomination_ids: list[int]) -> dict[int, CraftsmanReview]:
    if not nomination_ids:
        return {}
    return {x.nomination_id: x for x in db.session.scalars(
        select(CraftsmanReview).where(CraftsmanReview.member_id == member_id,
                                      CraftsmanReview.nomination_id.in_(nomination_ids)))}


def people(ids) -> dict[int, tuple[str, str | None]]:
    """id → (name, department name)."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {i: (n, d) for i, n, d in db.session.execute(
        select(Member.id, Member.name, Department.name).outerjoin(Department, Department.id == Member.department_id)
        .where(Member.id.in_(ids)))}


# --- the vote and the results ------------------------------------------------------------------------

def open_vote(staff_id: int, round_id: int, *, notify: bool = True) -> CraftsmanRound:
    """Create and publish the public vote of the shortlist through the votes domain; tell the shortlisted."""
    from ..votes import services as votes
    from ..votes.models import VoteCandidate

    r = get_round(round_id, lock=True)
    if r.status != CraftsmanStage.open or stage(r) != CraftsmanStage.shortlisted:
        raise AppError("invalid_transition", "评审结束后、尚未发起投票时才能发起投票",
                       details={"stage": str(stage(r))})
    ids = shortlisted_ids(r.id)
    if len(ids) < r.winners:
        raise AppError("shortlist_too_short", f"入围 {len(ids)} 人，少于评选名额 {r.winners} 人")
    noms = {n.id: n for n in db.session.scalars(select(CraftsmanNomination).where(CraftsmanNomination.id.in_(ids)))}
    who = people(n.nominee_id for n in noms.values())
    photos = photos_of(ids)
    candidates = [{"name": who[noms[i].nominee_id][0],
                   "description": f"{who[noms[i].nominee_id][1] or ''} · {noms[i].reason}"[:2000]} for i in ids]
    vote = votes.create_vote(staff_id, title=r.title, description=f"每人最多选 {r.winners} 位。", audience=None,
                             opens_at=r.vote_opens_at, closes_at=r.vote_closes_at, max_choices=r.winners,
                             candidates=candidates)
    votes.publish_vote(vote.id, notify=notify)
    # The candidates carry the nomination's first photo: it stays attached to the nomination, whose reader
    # admits every member once it is shortlisted, so the vote does not take (and re-own) the upload.
    for cand in votes.candidates_of([vote.id])[vote.id]:
        nid = ids[cand.position]
        db.session.execute(update(VoteCandidate).where(VoteCandidate.id == cand.id)
                           .values(photo_id=(photos[nid] or [None])[0]).execution_options(synchronize_session=False))
        db.session.execute(update(CraftsmanNomination).where(CraftsmanNomination.id == nid)
                           .values(candidate_id=cand.id).execution_options(synchronize_session=False))
    done = db.session.execute(update(CraftsmanRound).where(CraftsmanRound.id == r.id,
                                                           CraftsmanRound.status == CraftsmanStage.open)
                              .values(status=CraftsmanStage.voting, vote_id=vote.id)
                              .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AppError("invalid_transition")
    db.session.refresh(r)
    if notify:
        _notify([n.nominee_id for n in noms.values()], "您已入围工匠之星评选",
                f"恭喜！您已入围“{r.title}”，公开投票即将开始。", f"pages/craftsman/round?id={r.id}")
    return r


def publish(staff_id: int, round_id: int, *, notify: bool = True) -> CraftsmanRound:
    """The top ``winners`` of the closed vote (ties: more approvals, then the earlier nomination), published."""
    from ..votes import services as votes

    r = get_round(round_id, lock=True)
    if r.status != CraftsmanStage.voting:
        raise AppError("invalid_transition", "尚未发起投票或已公布", details={"stage": str(stage(r))})
    vote = votes.get_vote(r.vote_id)
    if votes.shown_status(vote) != "closed":
        raise AppError("vote_not_closed")
    vote = votes.closed_for_results(vote.id)
    totals = {c["id"]: c["votes"] for c in votes.results(vote)["total"]["candidates"]}
    tally = _approved()
    rows = db.session.execute(select(CraftsmanNomination.id, CraftsmanNomination.candidate_id,
                                     func.coalesce(tally.c.approvals, 0))
                              .outerjoin(tally, tally.c.nomination_id == CraftsmanNomination.id)
                              .where(CraftsmanNomination.round_id == r.id,
                                     CraftsmanNomination.candidate_id.is_not(None))).all()
    ranked = sorted(rows, key=lambda x: (-totals.get(x[1], 0), -x[2], x[0]))[: r.winners]
    done = db.session.execute(update(CraftsmanRound).where(CraftsmanRound.id == r.id,
                                                           CraftsmanRound.status == CraftsmanStage.voting)
                              .values(status=CraftsmanStage.published, published_at=utcnow())
                              .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AppError("invalid_transition")
    db.session.execute(insert(CraftsmanWinner), [{"round_id": r.id, "nomination_id": nid, "rank": i + 1,
                                                  "votes": totals.get(cid, 0)}
                                                 for i, (nid, cid, _) in enumerate(ranked)])
    db.session.refresh(r)
    if notify:
        _notify(None, f"{r.title}结果公布", f"“{r.title}”评选结果已公布，欢迎查看获奖者风采。",
                f"pages/craftsman/winners?year={r.year}")
    return r


def list_winners(year: int | None, page: int, per_page: int):
    """(winner, nomination, year) rows, latest year first, by rank."""
    where = [CraftsmanRound.status == CraftsmanStage.published]
    if year is not None:
        where.append(CraftsmanRound.year == year)
    base = (select(CraftsmanWinner, CraftsmanNomination, CraftsmanRound.year)
            .join(CraftsmanNomination, CraftsmanNomination.id == CraftsmanWinner.nomination_id)
            .join(CraftsmanRound, CraftsmanRound.id == CraftsmanWinner.round_id).where(*where))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(base.order_by(CraftsmanRound.year.desc(), CraftsmanWinner.rank)
                              .limit(per_page).offset((page - 1) * per_page))
    return [tuple(x) for x in rows], total


def get_winner(winner_id: int):
    row = db.session.execute(select(CraftsmanWinner, CraftsmanNomination, CraftsmanRound.year)
                             .join(CraftsmanNomination, CraftsmanNomination.id == CraftsmanWinner.nomination_id)
                             .join(CraftsmanRound, CraftsmanRound.id == CraftsmanWinner.round_id)
                             .where(CraftsmanWinner.id == winner_id,
                                    CraftsmanRound.status == CraftsmanStage.published)).first()
    if row is None:
        raise AppError("not_found", "获奖者不存在")
    return tuple(row)


