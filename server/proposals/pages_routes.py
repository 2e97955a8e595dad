"""The department head's page, /p/<token>: no account, a signed link (handling.open_link) that reads the
proposal (no proposer when confidential) and posts a progress update or the answer by a plain form.

The form carries the link's current nonce, which each post renews (handling.post_by_link): a page on another
site cannot post without having read ours (the CSP forbids framing; no cookie is involved, so SameSite has
nothing to protect), and a form sent twice is refused. Refusals are friendly Chinese pages, never JSON.
"""
from __future__ import annotations

import secrets

from flask import current_app, g, render_template, request

from ..core import ratelimit
from ..core.errors import AppError
from ..core.extensions import db
from ..members.models import Member
from . import handling, pages
from .models import ProposalEvent, ProposalStatus

MAX_BODY = 5000


def _style_nonce() -> str:
    g.proposal_style_nonce = secrets.token_urlsafe(16)
    return g.proposal_style_nonce


def _refused(e: handling.LinkRefused):
    page = render_template("public/missing.html", title=e.title, text=e.text,
                           union=current_app.config["UNION_NAME"], nonce=_style_nonce())
    return page, e.status, {"Cache-Control": "no-store"}


def _too_many(retry_after: int):
    page = render_template("public/missing.html", title="提交过于频繁",
                           text=f"此链接提交次数过多，请 {max(1, (retry_after + 59) // 60)} 分钟后再试。",
                           union=current_app.config["UNION_NAME"], nonce=_style_nonce())
    return page, 429, {"Cache-Control": "no-store", "Retry-After": str(retry_after)}


def _page(token: str, link, p, message: str | None = None, error: str | None = None, status: int = 200):
    proposer = None if p.confidential else db.session.get(Member, p.member_id)
    events = db.session.query(ProposalEvent).filter(
        ProposalEvent.proposal_id == p.id,
        ProposalEvent.action.in_(["assigned", "update", "answered"])).order_by(ProposalEvent.at, ProposalEvent.id).all()
    page = render_template("proposals/head.html", p=p, link=link, token=token, proposer=proposer, events=events,
                           status_label=ProposalStatus(p.status).label, message=message, error=error,
                           union=current_app.config["UNION_NAME"], nonce=_style_nonce(),
                           open=p.status in ("assigned", "in_progress"))
    return page, status, {"Cache-Control": "no-store"}


@pages.get("/p/<token>")
def head_page(token: str):
    try:
        link, p = handling.open_link(token)
    except handling.LinkRefused as e:
        return _refused(e)
    return _page(token, link, p)


@pages.post("/p/<token>")
def head_post(token: str):
    body = (request.form.get("body") or "").strip()
    nonce = request.form.get("nonce") or ""
    answer = request.form.get("kind") == "answer"
    try:
        link, p = handling.open_link(token)
        try:
            ratelimit.hit(current_app.config["HEAD_LINK_POST_LIMIT"], "head-link-post", str(link.id))
        except AppError as e:
            return _too_many(e.details.get("retry_after", 60))
        if not body or len(body) > MAX_BODY:
            return _page(token, link, p, error=f"请填写办理情况（不超过 {MAX_BODY} 字）。", status=400)
        link, p = handling.post_by_link(token, nonce, body, answer)
    except handling.LinkRefused as e:
        # Nothing is committed: the request's session is discarded (rolled back) when it ends.
        return _refused(e)
    # A public form has no @api around it: this is its one commit.
    db.session.commit()
    return _page(token, link, p, message="已提交，感谢您的反馈。")


@pages.after_request
def _content_security_policy(resp):
    nonce = g.pop("proposal_style_nonce", None)
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    resp.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'none'; style-src {style}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    return resp
