"""After submission: review, assignment, progress updates (staff, or a department's head through a link),
completion, the proposer's rating, and the heads' links. Each status change is one conditional UPDATE."""
from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from ..core.config import secret_keys
from ..core.errors import AppError
from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from ..members.models import Member
from ..uploads.attach import attach, register_reader
from . import notify
from .models import IN_HAND, Proposal, ProposalAction, ProposalHeadLink, ProposalStatus
from .services import refused, step, transition

DECISIONS = {
    "accept": (ProposalStatus.accepted, ProposalAction.accepted),
    "opinion": (ProposalStatus.opinion, ProposalAction.opinion),
    "reject": (ProposalStatus.rejected, ProposalAction.rejected),
}
MAX_IMAGES = 9


def end_of(day: date) -> datetime:
    """24:00 Asia/Shanghai of ``day``."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


def review(staff: Member, p: Proposal, decision: str, reason: str | None) -> Proposal:
    if decision == "reject" and not reason:
        raise AppError("invalid_request", "reason: 不予立案须说明理由",
                       details={"fields": {"reason": "不予立案须说明理由"}})
    status, action = DECISIONS[decision]
    now = utcnow()
    if not transition(p, [ProposalStatus.submitted], {"status": status, "reviewed_at": now, "review_reason": reason}):
        raise refused(p)
    step(p, staff.id, action, reason)
    notify.reviewed(p, status.label)
    return p


def assign(staff: Member, p: Proposal, lead: str, co: list[str], due_date: date) -> Proposal:
    now = utcnow()
    if due_date < now.astimezone(SHANGHAI).date():
        raise AppError("invalid_request", "due_date: 办理期限不能早于今天",
                       details={"fields": {"due_date": "办理期限不能早于今天"}})
    co = [d for d in dict.fromkeys(co) if d != lead]
    if not transition(p, [ProposalStatus.accepted], {
        "status": ProposalStatus.assigned, "assigned_at": now, "lead_department": lead, "co_departments": co,
        "due_date": due_date, "due_at": end_of(due_date),
    }):
        raise refused(p)
    text = f"牵头部门：{lead}" + (f"；协办部门：{'、'.join(co)}" if co else "") + f"；办理期限：{due_date.isoformat()}"
    step(p, staff.id, ProposalAction.assigned, text)
    notify.assigned(p)
    return p


def post_update(p: Proposal, body: str, *, actor: Member | None = None, department: str | None = None,
                images: list[str] = (), video_url: str | None = None, answer: bool = False) -> Proposal:
    """A progress update (or the department's answer) on an assigned proposal; the first one moves it to
    in_progress. By staff (``actor``) or a department's head (``department``, through a link)."""
    if not transition(p, IN_HAND, {"status": ProposalStatus.in_progress}):
        raise refused(p, "提案当前不在办理中，不能发布进展")
    ids = attach(list(images), owner_id=actor.id, kind="proposal", attached_id=p.id, limit=MAX_IMAGES) \
        if images and actor is not None else []
    step(p, actor.id if actor else None, ProposalAction.answered if answer else ProposalAction.update, body,
         department=department, images=ids, video_url=video_url)
    return p


def complete(staff: Member, p: Proposal, report: str, grade: str) -> Proposal:
    now = utcnow()
    if not transition(p, IN_HAND, {"status": ProposalStatus.completed, "completed_at": now, "report": report,
                                   "grade": grade}):
        raise refused(p)
    step(p, staff.id, ProposalAction.completed, f"办结等级：{grade}\n{report}")
    notify.completed(p)
    return p


def rate(member: Member, p: Proposal, satisfaction: int) -> Proposal:
    if p.member_id != member.id:
        raise AppError("forbidden", "只有提案人本人可以评价")
    if not transition(p, [ProposalStatus.completed], {"satisfaction": satisfaction}, Proposal.satisfaction.is_(None)):
        raise refused(p, "提案办结后可评价一次")
    step(p, member.id, ProposalAction.rated, f"满意度 {satisfaction} 分")
    return p


def _may_read_upload(member: Member, proposal_id: int) -> bool:
    from .services import may_see

    p = db.session.get(Proposal, proposal_id)
    return p is not None and may_see(member, p)


register_reader("proposal", _may_read_upload)


# --- department heads' links ---------------------------------------------------------------------------------

def _links() -> URLSafeSerializer:
    keys = secret_keys(current_app.config, "QR_SECRET_KEY")
    return URLSafeSerializer(list(reversed(keys)), salt="proposal-head-link")


def link_url(link: ProposalHeadLink) -> str:
    token = _links().dumps({"l": link.id, "p": link.proposal_id})
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/p/{token}"


def create_link(staff: Member, p: Proposal, department: str) -> ProposalHeadLink:
    """Valid for one proposal and department until the end of the proposal's due_date (Asia/Shanghai)."""
    if p.status not in IN_HAND or p.due_at is None:
        raise refused(p, "提案交办后才能发送部门链接")
    link = ProposalHeadLink(id=secrets.token_urlsafe(16), proposal_id=p.id, department=department,
                            nonce=secrets.token_urlsafe(24), expires_at=p.due_at, created_by=staff.id)
    db.session.add(link)
    step(p, staff.id, ProposalAction.head_link, f"已向{department}负责人发送办理链接")
    db.session.flush()
    return link


def revoke_link(p: Proposal, link_id: str) -> None:
    done = db.session.execute(update(ProposalHeadLink).where(
        ProposalHeadLink.id == link_id, ProposalHeadLink.proposal_id == p.id, ProposalHeadLink.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not done:
        raise AppError("not_found", "链接不存在或已撤销")


class LinkRefused(Exception):
    def __init__(self, title: str, text: str, status: int = 404):
        super().__init__(title)
        self.title, self.text, self.status = title, text, status


def open_link(token: str) -> tuple[ProposalHeadLink, Proposal]:
    """The link and its proposal, or LinkRefused with the page's Chinese text."""
    try:
        data = _links().loads(token)
    except BadSignature:
        raise LinkRefused("链接无效", "这个链接无效或不完整，请向工会索取新的链接。") from None
    if not isinstance(data, dict) or not isinstance(data.get("l"), str) or not isinstance(data.get("p"), int):
        raise LinkRefused("链接无效", "这个链接无效或不完整，请向工会索取新的链接。")
    link = db.session.get(ProposalHeadLink, data["l"])
    if link is None or link.proposal_id != data["p"]:
        raise LinkRefused("链接无效", "这个链接不属于该提案，请向工会索取新的链接。")
    if link.revoked_at is not None:
        raise LinkRefused("链接已撤销", "工会已撤销这个链接，如需继续办理请联系工会。", 410)
    if link.expires_at <= utcnow():
        raise LinkRefused("链接已过期", "这个链接已超过办理期限，如需继续办理请联系工会。", 410)
    return link, db.session.get(Proposal, link.proposal_id)


def post_by_link(token: str, nonce: str, body: str, answer: bool) -> tuple[ProposalHeadLink, Proposal]:
    link, p = open_link(token)
    # The form's nonce is the link's current one, renewed by this post: a form page cannot be replayed, and
    # a page on another site cannot post without having read ours.
    taken = db.session.execute(update(ProposalHeadLink).where(
        ProposalHeadLink.id == link.id, ProposalHeadLink.nonce == nonce, ProposalHeadLink.revoked_at.is_(None))
        .values(nonce=secrets.token_urlsafe(24)).execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise LinkRefused("页面已过期", "该页面已失效（可能已经提交过），请重新打开链接后再填写。", 409)
    try:
        post_update(p, body, department=link.department, answer=answer)
    except AppError:
        raise LinkRefused("暂不能提交", "该提案当前不在办理中，无法提交进展。", 409) from None
    db.session.refresh(link)
    return link, p
