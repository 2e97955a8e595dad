from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field, model_validator

from ..core.api import GroupName, Out, PageQuery, RowId, Schema, Timestamp
from ..core.timeutil import LocalTime
from .models import VoteStatus


class VoteAudienceIn(Schema):
    """API.md "Audiences": everyone (``{"all": true}``, or nothing listed), or every listed kind must match."""
    all: Optional[bool] = None
    departments: list[GroupName] = Field(default_factory=list, max_length=200)
    grids: list[GroupName] = Field(default_factory=list, max_length=200)
    tags: list[GroupName] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _all_alone(self):
        if self.all is False:
            raise ValueError("all: 只能为 true；如需指定对象请列出部门、网格或标签")
        if self.all and (self.departments or self.grids or self.tags):
            raise ValueError("all: 全体会员时不能再指定其他对象")
        return self


class VoteAudienceOut(Out):
    all: bool
    departments: list[str]
    grids: list[str]
    tags: list[str]


class CandidateIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    photo: Optional[str] = Field(None, min_length=1, max_length=32, description="An upload id (POST /uploads).")


class _VoteFields(Schema):
    @model_validator(mode="after")
    def _consistent(self):
        if self.opens_at is not None and self.closes_at is not None and self.closes_at <= self.opens_at:
            raise ValueError("closes_at: 截止时间必须晚于开始时间")
        if self.candidates is not None and self.max_choices is not None and self.max_choices > len(self.candidates):
            raise ValueError("max_choices: 最多可选人数不能超过候选人数")
        return self


class VoteIn(_VoteFields):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    audience: VoteAudienceIn = Field(default_factory=VoteAudienceIn)
    opens_at: Timestamp
    closes_at: Timestamp
    max_choices: int = Field(1, ge=1, le=100)
    candidates: list[CandidateIn] = Field(min_length=1, max_length=100)


class VotePatch(_VoteFields):
    """Draft only. ``candidates`` replaces the whole list."""
    title: Optional[str] = Field(None, min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=5000)
    audience: Optional[VoteAudienceIn] = None
    opens_at: Optional[Timestamp] = None
    closes_at: Optional[Timestamp] = None
    max_choices: Optional[int] = Field(None, ge=1, le=100)
    candidates: Optional[list[CandidateIn]] = Field(None, min_length=1, max_length=100)


class BallotIn(Schema):
    choices: list[RowId] = Field(min_length=1, max_length=100)


class PaperCountsIn(Schema):
    ballots: int = Field(ge=0, le=1_000_000)
    counts: dict[Annotated[str, Field(max_length=12)], Annotated[int, Field(ge=0, le=1_000_000)]] = Field(
        max_length=100, description="candidate id → votes on paper")


class VoteListQuery(PageQuery):
    status: Optional[VoteStatus] = None


class CandidateOut(Out):
    id: int
    name: str
    description: str
    photo_url: Optional[str]
    position: int


class VotePersonOut(Out):
    id: int
    name: str


class VoteOut(Out):
    id: int
    title: str
    description: str
    status: VoteStatus
    audience: VoteAudienceOut
    opens_at: LocalTime
    closes_at: LocalTime
    max_choices: int
    candidates: list[CandidateOut]
    voted: bool = Field(description="Whether the signed-in member has voted.")
    results_available: bool = Field(description="Closed and filed: GET …/results answers.")
    created_by: Optional[VotePersonOut]
    created_at: LocalTime
    closed_at: Optional[LocalTime]


class VotePage(Out):
    items: list[VoteOut]
    page: int
    per_page: int
    total: int


class MyVoteOut(Out):
    id: int
    title: str
    status: VoteStatus
    opens_at: LocalTime
    closes_at: LocalTime
    max_choices: int
    candidates_count: int
    voted: bool


class MyVotePage(Out):
    items: list[MyVoteOut]
    page: int
    per_page: int
    total: int


class ReceiptOut(Out):
    receipt: str = Field(description="Shown once. sha256 (hex) of this exact text appears in the results' receipts.")


class CountOut(Out):
    id: int
    name: str
    votes: int


class PaperOut(Out):
    status: str = Field(description="pending (entered once, awaiting a second staff member) or confirmed")
    ballots: Optional[int] = Field(description="null while pending: the second entry is made blind")
    candidates: Optional[list[CountOut]]
    entered_by: list[str]
    entered_at: LocalTime
    confirmed_at: Optional[LocalTime]


class PaperStateOut(Out):
    paper: Optional[PaperOut]


class TotalOut(Out):
    ballots: int
    candidates: list[CountOut]


class VoteResultsOut(Out):
    vote_id: int
    candidates: list[CountOut]
    ballots: int
    voters: int
    receipts: list[str]
    paper: Optional[PaperOut]
    total: TotalOut
    closed_at: Optional[LocalTime]


class DepartmentTurnoutOut(Out):
    department: str
    eligible: int
    voted: int


class VoteTurnoutOut(Out):
    vote_id: int
    status: VoteStatus
    eligible: int
    voted: int
    rate: float
    by_department: list[DepartmentTurnoutOut]
    as_of: LocalTime
