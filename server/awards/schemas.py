from __future__ import annotations

from typing import Optional

from pydantic import Field

from ..core.api import Out, PageQuery, RowId, Schema
from ..core.timeutil import LocalTime
from .models import AwardStatus


class AwardIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=2000, le=2100)
    criteria: str = Field(min_length=1, max_length=10000)
    quota: int = Field(ge=1, le=1000)


class AwardNomineeIn(Schema):
    member_id: RowId
    reason: str = Field(min_length=1, max_length=5000)


class AwardDecideIn(Schema):
    winners: list[RowId] = Field(min_length=1, max_length=1000, description="Nominee ids.")


class AwardRemovalIn(Schema):
    nominee_id: RowId
    reason: str = Field(min_length=1, max_length=2000)


class AwardFinalizeIn(Schema):
    removals: list[AwardRemovalIn] = Field(default_factory=list, max_length=1000,
                                           description="Winners taken off after an upheld objection, each with "
                                                       "the reason.")


class AwardObjectionIn(Schema):
    nominee_id: Optional[RowId] = Field(None, description="The winner objected to; none for the procedure itself.")
    body: str = Field(min_length=1, max_length=2000)


class AwardQuery(PageQuery):
    status: Optional[AwardStatus] = None


class AwardPerson(Out):
    id: int
    name: str


class AwardNomineeOut(Out):
    id: int
    member: AwardPerson
    department: Optional[str]
    reason: str
    winner: bool
    removed_reason: Optional[str] = Field(description="Staff only: why a winner was taken off the final list.")
    final: bool = Field(description="On the final list (once the award is final).")
    volunteer_hours: Optional[float] = Field(None, description="Staff only: the nominee's volunteer hours in the "
                                                               "award's year (docs/volunteers.md).")


class AwardOut(Out):
    id: int
    title: str
    year: int
    criteria: str
    quota: int
    status: AwardStatus
    decided_at: Optional[LocalTime]
    objection_closes_at: Optional[LocalTime] = Field(description="The end of the notice period.")
    objections_open: bool
    finalized_at: Optional[LocalTime]
    nominees: list[AwardNomineeOut] = Field(description="Members see the winners only; staff every nominee. "
                                                        "Empty in lists.")
    winners_count: int
    objections_count: Optional[int] = Field(description="Staff only: named objections.")
    created_at: LocalTime


class AwardPage(Out):
    items: list[AwardOut]
    page: int
    per_page: int
    total: int


class AwardObjectionOut(Out):
    id: int
    nominee_id: Optional[int]
    nominee_name: Optional[str]
    member: AwardPerson
    body: str
    created_at: LocalTime


class AwardObjectionList(Out):
    items: list[AwardObjectionOut]
