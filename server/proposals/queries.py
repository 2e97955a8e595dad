"""Lists of proposals: a session's submitted ones (any member), and a member's own and co-signed ones."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select

from ..core.extensions import db
from .models import Proposal, ProposalCosigner, ProposalStatus


def _page(stmt, page: int, per_page: int) -> tuple[list[Proposal], int]:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return rows, total


def submitted(session_id: int | None, status: str | None, page: int, per_page: int):
    stmt = select(Proposal).where(Proposal.status != ProposalStatus.draft)
    if session_id is not None:
        stmt = stmt.where(Proposal.session_id == session_id)
    if status is not None:
        stmt = stmt.where(Proposal.status == status)
    return _page(stmt.order_by(Proposal.session_id.desc(), Proposal.id), page, per_page)


def mine(member_id: int, page: int, per_page: int):
    cosigned = exists().where(ProposalCosigner.proposal_id == Proposal.id, ProposalCosigner.member_id == member_id)
    stmt = select(Proposal).where(or_(Proposal.member_id == member_id, cosigned))
    return _page(stmt.order_by(Proposal.created_at.desc(), Proposal.id.desc()), page, per_page)


def of_session(session_id: int) -> list[Proposal]:
    return list(db.session.scalars(select(Proposal).where(Proposal.session_id == session_id,
                                                          Proposal.status != ProposalStatus.draft)
                                   .order_by(Proposal.id)))
