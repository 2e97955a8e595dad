"""Sessions and drafting: create, edit, co-sign (by name search or a shared card), withdraw, submit.

The co-signer threshold holds under races: every co-signature change first takes the proposal's row through
a conditional UPDATE on ``status = 'draft'`` (the row lock), and submit locks the row before it counts, in a
statement of its own, so the count (a new snapshot on PostgreSQL's READ COMMITTED) sees every withdrawal
committed before the lock was granted, and a withdrawal after it waits and then finds the proposal
submitted (409 invalid_transition). SQLite serialises writers with BEGIN IMMEDIATE.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..core.config import secret_keys
from ..core.errors import AppError
from ..core.extensions import db, get_or_raise, savepoint
from ..core.timeutil import utcnow
from ..members import lookup
from ..members.models import Member
from ..workdays.calendar import working_days_deadline
from . import notify
from .models import (
    DRAFT,
    CongressSession,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalEvent,
    ProposalStatus,
)

ASSIGN_WORKDAYS = 7


def not_found() -> AppError:
    return AppError("not_found", "提案不存在")


# --- sessions ----------------------------------------------------------------------------------------

def create_session(staff_id: int, name: str, closes_at: datetime, min_cosigners: int) -> CongressSession:
    s = CongressSession(name=name, closes_at=closes_at, min_cosigners=min_cosigners, created_by=staff_id,
                        assignment_due_at=working_days_deadline(closes_at, ASSIGN_WORKDAYS),
                        assignment_warn_at=working_days_deadline(closes_at, ASSIGN_WORKDAYS - 1))
    db.session.add(s)
    db.session.flush()
    return s


def get_session(session_id: int) -> CongressSession:
    return get_or_raise(CongressSession, session_id, lambda: AppError("not_found", "届次不存在"))


def list_sessions(page: int, per_page: int) -> tuple[list[CongressSession], int]:
    total = db.session.scalar(select(func.count()).select_from(CongressSession))
    rows = list(db.session.scalars(select(CongressSession).order_by(CongressSession.closes_at.desc(),
                                                                     CongressSession.id.desc())
                                   .limit(per_page).offset((page - 1) * per_page)))
    return rows, total


# --- visibility ----------------------------------------------------------------------------------------

def is_cosigner(member_id: int, proposal_id: int) -> bool:
    return db.session.get(ProposalCosigner, (proposal_id, member_id)) is not None


def may_see(member: Member, p: Proposal, invited: bool = False) -> bool:
    """A submitted proposal: every member (API.md). A draft: its proposer, co-signers, staff, and whoever
    holds its shared card."""
    if p.status != ProposalStatus.draft or member.is_staff or p.member_id == member.id or invited:
        return True
    return is_cosigner(member.id, p.id)


def shows_people(member: Member, p: Proposal) -> bool:
    """A confidential proposal names its proposer and co-signers to staff and its proposer only."""
    return not p.confidential or member.is_staff or p.member_id == member.id


def get_visible(member: Member, proposal_id: int, invited: bool = False) -> Proposal:
    p = get_or_raise(Proposal, proposal_id, not_found)
    if not may_see(member, p, invited):
        raise not_found()
    return p


# --- steps -----------------------------------------------------------------------------------------------

def step(p: Proposal, actor_id: int | None, action: str, body: str | None = None, *,
         department: str | None = None, images: list[str] | None = None, video_url: str | None = None) -> None:
    # Timed after the step's UPDATE (which may have waited for a lock), so the timeline reads in effect order.
    db.session.add(ProposalEvent(proposal_id=p.id, at=utcnow(), actor_id=actor_id, action=action, body=body,
                                 department=department, images=images or [], video_url=video_url))


def transition(p: Proposal, from_statuses, values: dict, *conditions) -> bool:
    """Move the proposal if its status (and ``conditions``) still hold, in one statement; reload it."""
    values.setdefault("updated_at", utcnow())
    done = db.session.execute(
        update(Proposal).where(Proposal.id == p.id, Proposal.status.in_([str(s) for s in from_statuses]),
                               *conditions)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(p)
    return done == 1


def refused(p: Proposal, message: str | None = None, **details) -> AppError:
    return AppError("invalid_transition", message, details={"status": str(p.status), **details})


def _must_propose(member: Member, p: Proposal) -> None:
    if p.member_id != member.id:
        raise AppError("forbidden", "只有提案人本人可以执行此操作")


# --- drafting --------------------------------------------------------------------------------------------

def create_proposal(member: Member, data: dict) -> Proposal:
    session = get_or_raise(CongressSession, data["session_id"],
                           lambda: AppError("invalid_request", "session_id: 届次不存在",
                                            details={"fields": {"session_id": "届次不存在"}}))
    if session.closes_at <= utcnow():
        raise AppError("session_closed")
    p = Proposal(member_id=member.id, status=ProposalStatus.draft, co_departments=[], **data)
    db.session.add(p)
    db.session.flush()
    step(p, member.id, ProposalAction.created)
    return p


def patch_proposal(member: Member, p: Proposal, changes: dict) -> Proposal:
    _must_propose(member, p)
    if not changes:
        return p
    if not transition(p, DRAFT, dict(changes)):
        raise refused(p, "提案已提交，不能再修改")
    return p


def _lock_draft(p: Proposal, message: str) -> None:
    """Take the draft's row lock (a no-op UPDATE on a draft only): co-signature changes and submit queue on it."""
    if not transition(p, DRAFT, {}):
        raise refused(p, message)


def cosign(member: Member, p: Proposal) -> Proposal:
    if p.member_id == member.id:
        raise AppError("own_proposal")
    _lock_draft(p, "提案已提交，不能再附议")
    try:
        with savepoint():
            db.session.add(ProposalCosigner(proposal_id=p.id, member_id=member.id, at=utcnow()))
            db.session.flush()
    except IntegrityError:
        raise AppError("already_cosigned") from None
    step(p, member.id, ProposalAction.cosigned)
    return p


def withdraw_cosign(member: Member, p: Proposal) -> Proposal:
    _lock_draft(p, "提案已提交，不能再撤回附议")
    gone = db.session.execute(delete(ProposalCosigner).where(ProposalCosigner.proposal_id == p.id,
                                                             ProposalCosigner.member_id == member.id)
                              .execution_options(synchronize_session=False)).rowcount
    if not gone:
        raise AppError("not_found", "您没有附议该提案")
    step(p, member.id, ProposalAction.cosign_withdrawn)
    return p


def cosigner_count(proposal_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ProposalCosigner)
                             .where(ProposalCosigner.proposal_id == proposal_id))


def submit(member: Member, p: Proposal) -> Proposal:
    _must_propose(member, p)
    session = db.session.get(CongressSession, p.session_id)
    now = utcnow()
    if session.closes_at <= now:
        raise AppError("session_closed")
    # Lock first, count after (its own statement, so it sees every withdrawal committed before the lock).
    _lock_draft(p, "提案已提交")
    n = cosigner_count(p.id)
    if n < session.min_cosigners:
        raise AppError("not_enough_cosigners", f"附议人数不足：需要 {session.min_cosigners} 人，目前 {n} 人",
                       details={"required": session.min_cosigners, "cosigners": n})
    if not transition(p, DRAFT, {"status": ProposalStatus.submitted, "submitted_at": now,
                                  "assignment_due_at": session.assignment_due_at,
                                  "assignment_warn_at": session.assignment_warn_at}):
        raise refused(p)
    step(p, member.id, ProposalAction.submitted)
    notify.submitted(p)
    return p


# --- co-signing by name search or a shared card --------------------------------------------------------

def _invites():
    keys = secret_keys(current_app.config, "QR_SECRET_KEY")
    return URLSafeSerializer(list(reversed(keys)), salt="proposal-invite")


def invite_token(p: Proposal) -> str:
    # Valid until the session closes: a draft cannot be submitted after that, and a forwarded card must not
    # keep opening it.
    closes = db.session.get(CongressSession, p.session_id).closes_at
    return _invites().dumps({"p": p.id, "until": int(closes.timestamp())})


def invited_proposal(token: str | None) -> int | None:
    if not token:
        return None
    try:
        data = _invites().loads(token)
    except BadSignature:
        raise AppError("invalid_token", "邀请链接无效，请让提案人重新分享") from None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    if not isinstance(data.get("until"), int) or utcnow().timestamp() >= data["until"]:
        raise AppError("invalid_token", "邀请链接已过期（本届提案征集已截止）")
    return data["p"]


def invite(member: Member, p: Proposal, member_ids: list[int]) -> str:
    _must_propose(member, p)
    if p.status != ProposalStatus.draft:
        raise refused(p, "提案已提交，无需再邀请附议")
    token = invite_token(p)
    if member_ids:
        notify.invited(p, member_ids, member.name, token)
    return token


def candidates(member: Member, p: Proposal, q: str) -> list:
    """Members by name for the proposer to invite (names and departments, never phones), at most 20."""
    _must_propose(member, p)
    return lookup.by_name(q, exclude_id=member.id)
