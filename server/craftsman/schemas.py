from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field

from ..core.api import Out, PageQuery, RowId, Schema, Timestamp
from ..core.timeutil import LocalTime
from .models import CraftsmanStage

UploadId = Annotated[str, Field(min_length=1, max_length=32)]


class PersonOut(Out):
    id: int
    name: str


class RoundIn(Schema):
    year: int = Field(ge=2000, le=2999)
    title: str = Field(min_length=1, max_length=100)
    nomination_closes_at: Timestamp
    review_closes_at: Timestamp
    vote_opens_at: Timestamp
    vote_closes_at: Timestamp
    winners: int = Field(ge=3, le=5)
    committee: list[RowId] = Field(min_length=1, max_length=50)


class RoundOut(Out):
    id: int
    year: int
    title: str
    stage: CraftsmanStage
    nomination_closes_at: LocalTime
    review_closes_at: LocalTime
    vote_opens_at: LocalTime
    vote_closes_at: LocalTime
    winners: int
    committee: list[PersonOut]
    on_committee: bool = Field(description="Whether the caller sits on the round's committee.")
    nominations_count: int
    vote_id: Optional[int] = Field(description="The public vote (GET /votes/{id}), once opened.")
    published_at: Optional[LocalTime]


class RoundPage(Out):
    items: list[RoundOut]
    page: int
    per_page: int
    total: int


class NominationIn(Schema):
    nominee_id: RowId
    reason: str = Field(min_length=1, max_length=2000)
    evidence: str = Field("", max_length=10000)
    photos: list[UploadId] = Field(default_factory=list, max_length=6, description="Upload ids (POST /uploads).")


class ReviewIn(Schema):
    approve: bool
    comment: str = Field("", max_length=2000)


class PhotoOut(Out):
    id: str
    url: str


class MyReviewOut(Out):
    approve: bool
    comment: str


class NominationOut(Out):
    id: int
    round_id: int
    nominee: PersonOut
    department: Optional[str]
    nominated_by: Optional[PersonOut] = Field(description="Shown to staff, the committee and the nominator only.")
    self_nominated: bool
    reason: str
    evidence: str
    photos: list[PhotoOut]
    reviews: Optional[int] = Field(description="Committee reviews so far (staff and committee only).")
    approvals: Optional[int] = Field(description="Approvals among them (staff and committee only).")
    shortlisted: bool = Field(description="Approved by a strict majority of the committee members who reviewed it.")
    my_review: Optional[MyReviewOut]
    created_at: LocalTime


class NominationPage(Out):
    items: list[NominationOut]
    page: int
    per_page: int
    total: int


class WinnerOut(Out):
    id: int
    year: int
    round_id: int
    rank: int
    votes: int
    member: PersonOut
    department: Optional[str]
    reason: str
    evidence: str
    photos: list[PhotoOut]


class WinnerPage(Out):
    items: list[WinnerOut]
    page: int
    per_page: int
    total: int


class WinnerQuery(PageQuery):
    year: Optional[int] = Field(None, ge=2000, le=2999)
