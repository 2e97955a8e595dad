"""Rows → output models; each list in a fixed number of statements."""
from __future__ import annotations

from . import services
from .models import CraftsmanNomination, CraftsmanRound
from .schemas import MyReviewOut, NominationOut, PersonOut, PhotoOut, RoundOut, WinnerOut


def _photos(ids: list[str]) -> list[PhotoOut]:
    return [PhotoOut(id=i, url=f"/api/v1/uploads/{i}") for i in ids]


def rounds_out(rounds: list[CraftsmanRound], viewer_id: int) -> list[RoundOut]:
    ids = [r.id for r in rounds]
    counts = services.nomination_counts(ids)
    committees = services.committees(ids)
    return [RoundOut(id=r.id, year=r.year, title=r.title, stage=services.stage(r),
                     nomination_closes_at=r.nomination_closes_at, review_closes_at=r.review_closes_at,
                     vote_opens_at=r.vote_opens_at, vote_closes_at=r.vote_closes_at, winners=r.winners,
                     committee=[PersonOut(id=i, name=n) for i, n in committees[r.id]],
                     on_committee=any(i == viewer_id for i, _ in committees[r.id]),
                     nominations_count=counts.get(r.id, 0), vote_id=r.vote_id, published_at=r.published_at)
            for r in rounds]


def round_out(r: CraftsmanRound, viewer_id: int) -> RoundOut:
    return rounds_out([r], viewer_id)[0]


def nominations_out(rows: list[tuple[CraftsmanNomination, int, int]], viewer_id: int,
                    full: bool) -> list[NominationOut]:
    ids = [n.id for n, _, _ in rows]
    photos = services.photos_of(ids)
    who = services.people([n.nominee_id for n, _, _ in rows] + [n.nominated_by for n, _, _ in rows])
    mine = services.my_reviews(viewer_id, ids) if full else {}
    out = []
    for n, reviews, approvals in rows:
        shows_nominator = full or n.nominated_by == viewer_id
        review = mine.get(n.id)
        out.append(NominationOut(
            id=n.id, round_id=n.round_id, nominee=PersonOut(id=n.nominee_id, name=who[n.nominee_id][0]),
            department=who[n.nominee_id][1],
            nominated_by=PersonOut(id=n.nominated_by, name=who[n.nominated_by][0]) if shows_nominator else None,
            self_nominated=n.nominated_by == n.nominee_id, reason=n.reason, evidence=n.evidence,
            photos=_photos(photos[n.id]), reviews=reviews if full else None, approvals=approvals if full else None,
            shortlisted=reviews > 0 and approvals * 2 > reviews,
            my_review=MyReviewOut(approve=review.approve, comment=review.comment) if review else None,
            created_at=n.created_at))
    return out


def winners_out(rows) -> list[WinnerOut]:
    noms = [n for _, n, _ in rows]
    photos = services.photos_of([n.id for n in noms])
    who = services.people(n.nominee_id for n in noms)
    return [WinnerOut(id=w.id, year=year, round_id=w.round_id, rank=w.rank, votes=w.votes,
                      member=PersonOut(id=n.nominee_id, name=who[n.nominee_id][0]), department=who[n.nominee_id][1],
                      reason=n.reason, evidence=n.evidence, photos=_photos(photos[n.id])) for w, n, year in rows]
