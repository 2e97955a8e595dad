"""Rows → output models; a page of proposals in a fixed number of statements (sessions, co-signers,
timeline, people), whatever its length."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from ..core.extensions import db
from ..core.timeutil import utcnow
from ..members.models import Department, Member
from .models import (
    AWAITING_ASSIGNMENT,
    IN_HAND,
    CongressSession,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalEvent,
)
from .schemas import PersonOut, ProposalOut, SessionOut, TimelineOut


def sessions_out(rows: list[CongressSession]) -> list[SessionOut]:
    ids = [s.id for s in rows]
    counts = dict(db.session.execute(
        select(Proposal.session_id, func.count()).where(Proposal.session_id.in_(ids), Proposal.status != "draft")
        .group_by(Proposal.session_id)).all()) if ids else {}
    now = utcnow()
    return [SessionOut(id=s.id, name=s.name, closes_at=s.closes_at, min_cosigners=s.min_cosigners,
                       open=s.closes_at > now, assignment_due_at=s.assignment_due_at,
                       proposals_count=counts.get(s.id, 0), created_at=s.created_at) for s in rows]


def session_out(s: CongressSession) -> SessionOut:
    return sessions_out([s])[0]


def overdue(p: Proposal, now: datetime) -> bool:
    if p.status in AWAITING_ASSIGNMENT:
        return p.assignment_due_at is not None and p.assignment_due_at <= now
    if p.status in IN_HAND:
        return p.due_at is not None and p.due_at <= now
    return False


def _people(ids: set[int]) -> dict[int, PersonOut]:
    if not ids:
        return {}
    rows = db.session.execute(select(Member.id, Member.name, Department.name)
                              .outerjoin(Department, Department.id == Member.department_id)
                              .where(Member.id.in_(sorted(ids)))).all()
    return {i: PersonOut(id=i, name=n, department=d) for i, n, d in rows}


def proposals_out(rows: list[Proposal], viewer: Member) -> list[ProposalOut]:
    if not rows:
        return []
    ids = [p.id for p in rows]
    sessions = {s.id: s for s in db.session.scalars(
        select(CongressSession).where(CongressSession.id.in_({p.session_id for p in rows})))}
    cosigners: dict[int, list[int]] = defaultdict(list)
    for pid, mid in db.session.execute(select(ProposalCosigner.proposal_id, ProposalCosigner.member_id)
                                       .where(ProposalCosigner.proposal_id.in_(ids))
                                       .order_by(ProposalCosigner.at, ProposalCosigner.member_id)):
        cosigners[pid].append(mid)
    events: dict[int, list[ProposalEvent]] = defaultdict(list)
    for e in db.session.scalars(select(ProposalEvent).where(ProposalEvent.proposal_id.in_(ids))
                                .order_by(ProposalEvent.at, ProposalEvent.id)):
        events[e.proposal_id].append(e)
    people = _people({p.member_id for p in rows} | {m for ms in cosigners.values() for m in ms}
                     | {e.actor_id for es in events.values() for e in es if e.actor_id})
    now = utcnow()
    out = []
    for p in rows:
        shown = not p.confidential or viewer.is_staff or p.member_id == viewer.id
        hidden_ids = set() if shown else {p.member_id, *cosigners[p.id]}
        timeline = [TimelineOut(
            at=e.at, action=e.action, department=e.department, body=e.body, video_url=e.video_url,
            actor=None if e.actor_id is None or e.actor_id in hidden_ids else people.get(e.actor_id),
            images=[f"/api/v1/uploads/{i}" for i in (e.images or [])]) for e in events[p.id]
            # Sending a department head its link is staff's bookkeeping, not a step members follow.
            if viewer.is_staff or e.action != ProposalAction.head_link]
        s = sessions[p.session_id]
        out.append(ProposalOut(
            id=p.id, number=f"{p.id:04d}", session_id=p.session_id, session_name=s.name, title=p.title,
            problem=p.problem, solution=p.solution, department=p.department, deadline=p.deadline,
            confidential=p.confidential, status=p.status, proposer=people.get(p.member_id) if shown else None,
            cosigners=[people[m] for m in cosigners[p.id] if m in people] if shown else None,
            cosigners_count=len(cosigners[p.id]), min_cosigners=s.min_cosigners, mine=p.member_id == viewer.id,
            cosigned=viewer.id in cosigners[p.id], created_at=p.created_at, submitted_at=p.submitted_at,
            reviewed_at=p.reviewed_at, review_reason=p.review_reason, assignment_due_at=p.assignment_due_at,
            assigned_at=p.assigned_at, lead_department=p.lead_department, co_departments=p.co_departments or [],
            due_date=p.due_date, overdue=overdue(p, now), completed_at=p.completed_at, report=p.report,
            grade=p.grade, satisfaction=p.satisfaction, timeline=timeline))
    return out


def proposal_out(p: Proposal, viewer: Member) -> ProposalOut:
    return proposals_out([p], viewer)[0]
