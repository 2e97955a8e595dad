"""Rows → output models; a page of votes in a fixed number of statements."""
from __future__ import annotations

from ..members.models import Member
from . import services
from .models import Vote, VoteStatus
from .schemas import CandidateOut, MyVoteOut, VoteAudienceOut, VoteOut, VotePersonOut


def photo_url(upload_id: str | None) -> str | None:
    return f"/api/v1/uploads/{upload_id}" if upload_id else None


def votes_out(votes: list[Vote], viewer: Member) -> list[VoteOut]:
    ids = [v.id for v in votes]
    candidates = services.candidates_of(ids)
    audience = services.audience_names(ids)
    voted = services.voted_in(viewer.id, ids)
    names = services.creators([v.created_by for v in votes])
    out = []
    for v in votes:
        status = services.shown_status(v)
        out.append(VoteOut(
            id=v.id, title=v.title, description=v.description, status=status,
            audience=VoteAudienceOut(all=not any(audience[v.id].values()), **audience[v.id]),
            opens_at=v.opens_at, closes_at=v.closes_at, max_choices=v.max_choices,
            candidates=[CandidateOut(id=c.id, name=c.name, description=c.description, photo_url=photo_url(c.photo_id),
                                     position=c.position) for c in candidates[v.id]],
            voted=v.id in voted, results_available=v.status == VoteStatus.closed or status == VoteStatus.closed,
            created_by=VotePersonOut(id=v.created_by, name=names.get(v.created_by, "")) if v.created_by else None,
            created_at=v.created_at, closed_at=v.closed_at))
    return out


def vote_out(vote: Vote, viewer: Member) -> VoteOut:
    return votes_out([vote], viewer)[0]


def my_votes_out(rows) -> list[MyVoteOut]:
    return [MyVoteOut(id=v.id, title=v.title, status=services.shown_status(v), opens_at=v.opens_at,
                      closes_at=v.closes_at, max_choices=v.max_choices, candidates_count=n, voted=bool(voted))
            for v, n, voted in rows]
