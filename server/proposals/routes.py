"""HTTP for congress proposals (API.md "Congress proposals")."""
from __future__ import annotations

from flask import Response, current_app, g
from sqlalchemy import select

from ..audit_trail import services as audit_trail
from ..core import ratelimit
from ..core.api import PageQuery, api
from ..core.errors import AppError
from ..core.extensions import db
from . import bp, handling, queries, services, summary
from .models import ProposalHeadLink
from .presenters import proposal_out, proposals_out, session_out, sessions_out
from .schemas import (
    AssignIn,
    CandidateList,
    CandidateOut,
    CandidateQuery,
    CompleteIn,
    CosignIn,
    HeadLinkIn,
    HeadLinkList,
    HeadLinkOut,
    InviteIn,
    InviteOut,
    ProposalIn,
    ProposalOut,
    ProposalPage,
    ProposalPatch,
    ProposalQuery,
    RatingIn,
    ReviewIn,
    SessionIn,
    SessionOut,
    SessionPage,
    UpdateIn,
)

STEP_ERRORS = ["not_found", "invalid_transition"]


def _mine(proposal_id: int):
    return services.get_visible(g.member, proposal_id)


@bp.post("/congress-sessions")
@api(roles=["staff"], body=SessionIn, out=SessionOut, status=201)
def create_session(body: SessionIn):
    """Open a congress session for proposals until closes_at (staff)."""
    return session_out(services.create_session(g.member.id, body.name, body.closes_at, body.min_cosigners))


@bp.get("/congress-sessions")
@api(roles=["member"], query=PageQuery, out=SessionPage)
def list_sessions(query: PageQuery):
    """Congress sessions, latest closing first."""
    rows, total = services.list_sessions(query.page, query.per_page)
    return SessionPage(items=sessions_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.get("/congress-sessions/<int:session_id>")
@api(roles=["member"], out=SessionOut, errors=["not_found"])
def get_session(session_id: int):
    return session_out(services.get_session(session_id))


@bp.get("/congress-sessions/<int:session_id>/summary.pdf")
@api(roles=["staff"], produces=["application/pdf"], errors=["not_found", "poster_font_missing"])
def session_summary(session_id: int):
    """The session's proposals as a printable A4 PDF (staff)."""
    session = services.get_session(session_id)
    body = summary.render(session, queries.of_session(session.id), current_app.config.get("FONT_PATH"))
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="congress-session-{session.id}.pdf"'
    return resp


@bp.post("/proposals")
@api(roles=["member"], body=ProposalIn, out=ProposalOut, status=201, errors=["session_closed"])
def create_proposal(body: ProposalIn):
    """Draft a proposal (member); co-signers sign the draft, then its proposer submits it."""
    return proposal_out(services.create_proposal(g.member, body.model_dump()), g.member)


@bp.get("/proposals")
@api(roles=["member"], query=ProposalQuery, out=ProposalPage)
def list_proposals(query: ProposalQuery):
    """Submitted proposals with status and timeline (any member); a confidential one names no proposer."""
    rows, total = queries.submitted(query.session_id, query.status, query.page, query.per_page)
    return ProposalPage(items=proposals_out(rows, g.member), page=query.page, per_page=query.per_page, total=total)


@bp.get("/me/proposals")
@api(roles=["member"], query=PageQuery, out=ProposalPage)
def my_proposals(query: PageQuery):
    """My proposals (drafts included) and those I co-signed, newest first."""
    rows, total = queries.mine(g.member.id, query.page, query.per_page)
    return ProposalPage(items=proposals_out(rows, g.member), page=query.page, per_page=query.per_page, total=total)


@bp.get("/proposals/<int:proposal_id>")
@api(roles=["member"], out=ProposalOut, errors=["not_found"], transaction="write")
def get_proposal(proposal_id: int):
    """One proposal with its timeline. Writes: staff opening a confidential proposal (which names its proposer
    to them) are recorded in the audit trail, as reads of confidential requests are logged."""
    p = _mine(proposal_id)
    if p.confidential and g.member.is_staff and p.member_id != g.member.id:
        audit_trail.record("proposal", p.id, "read_confidential", actor_id=g.member.id)
    return proposal_out(p, g.member)


@bp.get("/proposal-invites/<token>")
@api(roles=["member"], out=ProposalOut, errors=["not_found", "invalid_token"])
def open_invite(token: str):
    """The draft a shared card invites the member to co-sign."""
    pid = services.invited_proposal(token)
    if pid is None:
        raise services.not_found()
    return proposal_out(services.get_visible(g.member, pid, invited=True), g.member)


@bp.patch("/proposals/<int:proposal_id>")
@api(roles=["member"], body=ProposalPatch, out=ProposalOut, errors=[*STEP_ERRORS, "forbidden"])
def patch_proposal(proposal_id: int, body: ProposalPatch):
    """Edit a draft (its proposer)."""
    p = services.patch_proposal(g.member, _mine(proposal_id), body.model_dump(exclude_unset=True))
    return proposal_out(p, g.member)


@bp.post("/proposals/<int:proposal_id>/cosign")
@api(roles=["member"], body=CosignIn, out=ProposalOut, status=201,
     errors=[*STEP_ERRORS, "already_cosigned", "own_proposal", "invalid_token"])
def cosign(proposal_id: int, body: CosignIn):
    """Co-sign a draft (another member; once). A shared card's token opens a draft to its holder."""
    invited = body.invite is not None and services.invited_proposal(body.invite) == proposal_id
    p = services.cosign(g.member, services.get_visible(g.member, proposal_id, invited=invited))
    return proposal_out(p, g.member)


@bp.delete("/proposals/<int:proposal_id>/cosign")
@api(roles=["member"], out=ProposalOut, errors=STEP_ERRORS)
def withdraw_cosign(proposal_id: int):
    """Withdraw my co-signature while the proposal is a draft."""
    return proposal_out(services.withdraw_cosign(g.member, _mine(proposal_id)), g.member)


@bp.post("/proposals/<int:proposal_id>/submit")
@api(roles=["member"], out=ProposalOut,
     errors=[*STEP_ERRORS, "forbidden", "not_enough_cosigners", "session_closed"])
def submit(proposal_id: int):
    """Submit a draft with enough co-signers before the session closes (its proposer)."""
    return proposal_out(services.submit(g.member, _mine(proposal_id)), g.member)


@bp.get("/proposals/<int:proposal_id>/cosigner-candidates")
@api(roles=["member"], query=CandidateQuery, out=CandidateList, errors=["not_found", "forbidden", "rate_limited"])
def cosigner_candidates(proposal_id: int, query: CandidateQuery):
    """Members whose name contains q, for the proposer to invite (names and departments only)."""
    p = _mine(proposal_id)
    ratelimit.hit(current_app.config["MEMBER_SEARCH_LIMIT"], "member-search", str(g.member.id))
    rows = services.candidates(g.member, p, query.q)
    return CandidateList(items=[CandidateOut(id=r.id, name=r.name, department=r.department) for r in rows])


@bp.post("/proposals/<int:proposal_id>/invite")
@api(roles=["member"], body=InviteIn, out=InviteOut, errors=[*STEP_ERRORS, "forbidden"])
def invite(proposal_id: int, body: InviteIn):
    """A token for a shared card (the mini-program's share), and a notice to members picked by name."""
    token = services.invite(g.member, _mine(proposal_id), body.member_ids)
    return InviteOut(token=token, page=f"pages/proposals/cosign?token={token}")


@bp.post("/proposals/<int:proposal_id>/review")
@api(roles=["staff"], body=ReviewIn, out=ProposalOut, errors=STEP_ERRORS)
def review(proposal_id: int, body: ReviewIn):
    """Accept (立案), turn into an opinion (转为意见) or reject with a reason (staff)."""
    return proposal_out(handling.review(g.member, _mine(proposal_id), body.decision, body.reason), g.member)


@bp.post("/proposals/<int:proposal_id>/assign")
@api(roles=["staff"], body=AssignIn, out=ProposalOut, errors=STEP_ERRORS)
def assign(proposal_id: int, body: AssignIn):
    """Assign an accepted proposal to its lead department (and co-departments) with a due date (staff)."""
    p = handling.assign(g.member, _mine(proposal_id), body.lead_department, body.co_departments, body.due_date)
    return proposal_out(p, g.member)


@bp.post("/proposals/<int:proposal_id>/updates")
@api(roles=["staff"], body=UpdateIn, out=ProposalOut, status=201, errors=[*STEP_ERRORS, "invalid_attachment"])
def post_update(proposal_id: int, body: UpdateIn):
    """A progress update with pictures (upload ids) or a video link (staff); heads post through /p/<token>."""
    p = handling.post_update(_mine(proposal_id), body.body, actor=g.member, images=body.images,
                             video_url=body.video_url)
    return proposal_out(p, g.member)


@bp.post("/proposals/<int:proposal_id>/complete")
@api(roles=["staff"], body=CompleteIn, out=ProposalOut, errors=STEP_ERRORS)
def complete(proposal_id: int, body: CompleteIn):
    """Complete with the report and a grade (staff)."""
    return proposal_out(handling.complete(g.member, _mine(proposal_id), body.report, body.grade), g.member)


@bp.post("/proposals/<int:proposal_id>/rating")
@api(roles=["member"], body=RatingIn, out=ProposalOut, errors=[*STEP_ERRORS, "forbidden"])
def rate(proposal_id: int, body: RatingIn):
    """The proposer's satisfaction with a completed proposal, once."""
    return proposal_out(handling.rate(g.member, _mine(proposal_id), body.satisfaction), g.member)


@bp.post("/proposals/<int:proposal_id>/head-links")
@api(roles=["staff"], body=HeadLinkIn, out=HeadLinkOut, status=201, errors=STEP_ERRORS)
def create_head_link(proposal_id: int, body: HeadLinkIn):
    """A signed link for a department's head: reads the proposal and posts progress until the due date."""
    link = handling.create_link(g.member, _mine(proposal_id), body.department)
    return HeadLinkOut(id=link.id, department=link.department, url=handling.link_url(link),
                       expires_at=link.expires_at)


@bp.get("/proposals/<int:proposal_id>/head-links")
@api(roles=["staff"], out=HeadLinkList, errors=["not_found"])
def list_head_links(proposal_id: int):
    """The proposal's department head links, newest first, revoked and expired ones included (staff)."""
    links = db.session.scalars(select(ProposalHeadLink).where(ProposalHeadLink.proposal_id == _mine(proposal_id).id)
                               .order_by(ProposalHeadLink.created_at.desc(), ProposalHeadLink.id)).all()
    return HeadLinkList(items=[HeadLinkOut(id=k.id, department=k.department, url=handling.link_url(k),
                                           expires_at=k.expires_at, revoked_at=k.revoked_at,
                                           created_at=k.created_at) for k in links])


@bp.delete("/proposals/<int:proposal_id>/head-links/<link_id>")
@api(roles=["staff"], status=204, errors=["not_found"])
def revoke_head_link(proposal_id: int, link_id: str):
    """Revoke a department head's link at once."""
    if len(link_id) > 32:
        raise AppError("not_found", "链接不存在或已撤销")
    handling.revoke_link(_mine(proposal_id), link_id)
    return Response(status=204)
