from __future__ import annotations

from flask import current_app, g

from ..core import ratelimit
from ..core.api import PageQuery, api
from ..core.errors import AppError
from ..members import lookup
from ..proposals.schemas import CandidateList, CandidateOut, CandidateQuery
from . import bp, services
from .presenters import nominations_out, round_out, rounds_out, winners_out
from .schemas import (
    NominationIn,
    NominationOut,
    NominationPage,
    ReviewIn,
    RoundIn,
    RoundOut,
    RoundPage,
    WinnerOut,
    WinnerPage,
    WinnerQuery,
)


@bp.post("/craftsman/rounds")
@api(roles=["staff"], body=RoundIn, out=RoundOut, status=201, errors=["round_exists"])
def create_round(body: RoundIn):
    """A year's round with its committee; every member is told nominations are open (notice source craftsman)."""
    r = services.create_round(g.member.id, **body.model_dump())
    return round_out(r, g.member.id)


@bp.get("/craftsman/rounds")
@api(roles=["member"], query=PageQuery, out=RoundPage)
def list_rounds(query: PageQuery):
    """Rounds, latest year first."""
    rounds, total = services.list_rounds(query.page, query.per_page)
    return RoundPage(items=rounds_out(rounds, g.member.id), page=query.page, per_page=query.per_page, total=total)


@bp.get("/craftsman/rounds/<int:round_id>")
@api(roles=["member"], out=RoundOut, errors=["not_found"])
def get_round(round_id: int):
    return round_out(services.get_round(round_id), g.member.id)


@bp.post("/craftsman/rounds/<int:round_id>/nominations")
@api(roles=["member"], body=NominationIn, out=NominationOut, status=201,
     errors=["not_found", "nomination_closed", "already_nominated", "invalid_attachment"])
def nominate(round_id: int, body: NominationIn):
    """Nominate oneself or another member on the roster, with evidence and up to 6 photos (uploads)."""
    n = services.nominate(g.member.id, round_id, **body.model_dump())
    return nominations_out([(n, 0, 0)], g.member.id, full=False)[0]


@bp.get("/craftsman/rounds/<int:round_id>/nominee-candidates")
@api(roles=["member"], query=CandidateQuery, out=CandidateList,
     errors=["not_found", "nomination_closed", "rate_limited"])
def nominee_candidates(round_id: int, query: CandidateQuery):
    """Members whose name contains q, for a member nominating another (names and departments only; the
    co-signer search's lookup). Only while nominations are open: outside them there is nobody to pick."""
    services.must_be_nominating(services.get_round(round_id))
    # The same budget as the co-signer search: one name search, whichever page runs it.
    ratelimit.hit(current_app.config["MEMBER_SEARCH_LIMIT"], "member-search", str(g.member.id))
    rows = lookup.by_name(query.q, exclude_id=g.member.id)
    return CandidateList(items=[CandidateOut(id=r.id, name=r.name, department=r.department) for r in rows])


@bp.get("/craftsman/rounds/<int:round_id>/nominations")
@api(roles=["member"], query=PageQuery, out=NominationPage, errors=["not_found"])
def list_nominations(round_id: int, query: PageQuery):
    """Staff and the committee: every nomination with its review tally. Members: the shortlist once the
    review is over (403 forbidden before)."""
    r = services.get_round(round_id)
    full = services.sees_all(g.member, r)
    if not full and not services.shortlist_public(r):
        raise AppError("forbidden", "评审结束后公布入围名单")
    rows, total = services.list_nominations(r, not full, query.page, query.per_page)
    return NominationPage(items=nominations_out(rows, g.member.id, full), page=query.page, per_page=query.per_page,
                          total=total)


@bp.post("/craftsman/nominations/<int:nomination_id>/review")
@api(roles=["member"], body=ReviewIn, out=NominationOut, status=201,
     errors=["not_found", "review_closed", "already_reviewed"])
def review(nomination_id: int, body: ReviewIn):
    """A committee member's review (one each per nomination) until review_closes_at; others 403 forbidden."""
    n = services.review(g.member.id, nomination_id, body.approve, body.comment)
    return nominations_out(services.nominations_by_id([n.id]), g.member.id, full=True)[0]


@bp.post("/craftsman/rounds/<int:round_id>/open-vote")
@api(roles=["staff"], out=RoundOut, errors=["not_found", "invalid_transition", "shortlist_too_short"])
def open_vote(round_id: int):
    """After the review: the public vote of the shortlist (votes domain; audience all, max_choices = winners),
    linked as vote_id; the shortlisted nominees are told."""
    return round_out(services.open_vote(g.member.id, round_id), g.member.id)


@bp.post("/craftsman/rounds/<int:round_id>/publish")
@api(roles=["staff"], out=RoundOut, errors=["not_found", "invalid_transition", "vote_not_closed"])
def publish(round_id: int):
    """After the vote's close: the top ``winners`` by votes (ties: more committee approvals, then the
    earlier nomination) are published; every member is told."""
    return round_out(services.publish(g.member.id, round_id), g.member.id)


@bp.get("/craftsman/winners")
@api(roles=["member"], query=WinnerQuery, out=WinnerPage)
def list_winners(query: WinnerQuery):
    """Published winners, latest year first, by rank; ``?year=`` for one year."""
    rows, total = services.list_winners(query.year, query.page, query.per_page)
    return WinnerPage(items=winners_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.get("/craftsman/winners/<int:winner_id>")
@api(roles=["member"], out=WinnerOut, errors=["not_found"])
def get_winner(winner_id: int):
    """A winner's profile page (members only: within the union, not the internet)."""
    return winners_out([services.get_winner(winner_id)])[0]
