from __future__ import annotations

from flask import g

from ..core.api import PageQuery, api
from ..core.errors import error_response
from . import bp, services
from .presenters import my_votes_out, vote_out, votes_out
from .schemas import (
    BallotIn,
    MyVotePage,
    PaperCountsIn,
    PaperOut,
    PaperStateOut,
    ReceiptOut,
    VoteIn,
    VoteListQuery,
    VoteOut,
    VotePage,
    VotePatch,
    VoteResultsOut,
    VoteTurnoutOut,
)

BALLOT_ERRORS = ["not_found", "not_eligible", "vote_closed", "already_voted"]
PAPER_ERRORS = ["not_found", "vote_not_closed", "paper_counts_recorded"]


@bp.post("/votes")
@api(roles=["staff"], body=VoteIn, out=VoteOut, status=201, errors=["invalid_attachment"])
def create_vote(body: VoteIn):
    """Create a vote as a draft with its candidates (staff); publish it to open it to its audience."""
    data = body.model_dump(exclude_unset=False)
    vote = services.create_vote(g.member.id, **data)
    return vote_out(vote, g.member)


@bp.get("/votes")
@api(roles=["staff"], query=VoteListQuery, out=VotePage)
def list_votes(query: VoteListQuery):
    """Every vote (staff), closing latest first; ?status= as shown (draft, scheduled, open, closed)."""
    votes, total = services.list_votes(query.status, query.page, query.per_page)
    return VotePage(items=votes_out(votes, g.member), page=query.page, per_page=query.per_page, total=total)


@bp.get("/me/votes")
@api(roles=["member"], query=PageQuery, out=MyVotePage)
def my_votes(query: PageQuery):
    """Open votes of my audience, closing soonest first, each with whether I have voted."""
    rows, total = services.my_open_votes(g.member, query.page, query.per_page)
    return MyVotePage(items=my_votes_out(rows), page=query.page, per_page=query.per_page, total=total)


@bp.get("/votes/<int:vote_id>")
@api(roles=["member"], out=VoteOut, errors=["not_found"])
def get_vote(vote_id: int):
    """One vote with its candidates (staff: any; a member: a published one of their audience, else 404)."""
    vote = services.get_vote(vote_id)
    if not services.may_see(g.member, vote):
        raise services.not_found()
    return vote_out(vote, g.member)


@bp.patch("/votes/<int:vote_id>")
@api(roles=["staff"], body=VotePatch, out=VoteOut, errors=["not_found", "invalid_transition", "invalid_attachment"])
def patch_vote(vote_id: int, body: VotePatch):
    """Change a draft (staff); ``candidates`` replaces the list. Published: 409 invalid_transition."""
    vote = services.update_vote(vote_id, g.member.id, body.model_dump(exclude_unset=True))
    return vote_out(vote, g.member)


@bp.post("/votes/<int:vote_id>/publish")
@api(roles=["staff"], out=VoteOut, errors=["not_found", "invalid_transition"])
def publish_vote(vote_id: int):
    """Publish a draft: it opens at opens_at and its audience is told then (notice source vote)."""
    return vote_out(services.publish_vote(vote_id), g.member)


@bp.post("/votes/<int:vote_id>/close")
@api(roles=["staff"], out=VoteOut, errors=["not_found", "invalid_transition"])
def close_vote(vote_id: int):
    """Close now (staff): no ballot is taken after this, the held ballots are filed and the results
    published; closing a closed vote changes nothing."""
    vote, _ = services.close_vote(vote_id, early=True)
    return vote_out(vote, g.member)


@bp.post("/votes/<int:vote_id>/ballots")
@api(roles=["member"], body=BallotIn, out=ReceiptOut, status=201, errors=BALLOT_ERRORS, deferred_member=True)
def cast_ballot(vote_id: int, body: BallotIn):
    """Vote once: ``choices`` are 1..max_choices distinct candidate ids. Answers the receipt, shown once."""
    return ReceiptOut(receipt=services.cast_ballot(g.member_id, vote_id, body.choices))


@bp.get("/votes/<int:vote_id>/results")
@api(roles=["member"], out=VoteResultsOut, errors=["not_found"], transaction="write")
def vote_results(vote_id: int):
    """After the close (everyone in the audience, and staff): counts, ballots, the sorted sha256 of every
    receipt, the confirmed paper count apart, and the total. Before it: 403 forbidden, staff included
    (they watch the turnout). Files the held ballots first if the close has passed and the scheduler has
    not come yet."""
    vote = services.get_vote(vote_id)
    if not services.may_see(g.member, vote):
        raise services.not_found()
    return VoteResultsOut(**services.results(services.closed_for_results(vote_id)))


@bp.get("/votes/<int:vote_id>/turnout")
@api(roles=["staff"], out=VoteTurnoutOut, errors=["not_found"])
def vote_turnout(vote_id: int):
    """Eligible and voted, by department (groups under 5 merged); never what was voted."""
    return VoteTurnoutOut(**services.turnout(services.get_vote(vote_id)))


@bp.get("/votes/<int:vote_id>/paper-counts")
@api(roles=["staff"], out=PaperStateOut, errors=["not_found"])
def paper_counts(vote_id: int):
    """The paper count: null, pending (who entered it; not the figures, so the second entry stays blind)
    or confirmed."""
    return PaperStateOut(paper=services.paper_view(services.get_vote(vote_id)))


@bp.post("/votes/<int:vote_id>/paper-counts")
@api(roles=["staff"], body=PaperCountsIn, out=PaperOut, status=201, errors=[*PAPER_ERRORS, "paper_counts_pending"])
def enter_paper_counts(vote_id: int, body: PaperCountsIn):
    """First entry of the paper ballots' count (after the close), awaiting a second staff member."""
    services.enter_paper_counts(vote_id, g.member.id, body.ballots, body.counts)
    return PaperOut(**services.paper_view(services.get_vote(vote_id), reveal_pending=True))


@bp.post("/votes/<int:vote_id>/paper-counts/confirm")
@api(roles=["staff"], body=PaperCountsIn, out=PaperOut, status=201,
     errors=[*PAPER_ERRORS, "paper_counts_missing", "paper_same_person", "paper_counts_mismatch"])
def confirm_paper_counts(vote_id: int, body: PaperCountsIn):
    """Second, independent entry by another staff member: the same figures record the count; different
    ones discard the first entry (409 paper_counts_mismatch) and both enter again."""
    row = services.confirm_paper_counts(vote_id, g.member.id, body.ballots, body.counts)
    if row is None:
        # An answer, not a raise: the discarded entry must be committed with it.
        return error_response("paper_counts_mismatch")
    return PaperOut(**services.paper_view(services.get_vote(vote_id)))
