from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ..core.api import GroupName, Out, PageQuery, RowId, Schema, Timestamp
from ..core.timeutil import LocalTime
from .models import CouncilIdeaStatus, CouncilTopicStatus

Month = Field(min_length=7, max_length=7, pattern=r"^20\d\d-(0[1-9]|1[0-2])$", description="YYYY-MM")


class PersonOut(Out):
    id: int
    name: str


class RepresentativeIn(Schema):
    department: GroupName
    member_id: RowId


class RepresentativeOut(Out):
    department: str
    member: PersonOut
    appointed_at: LocalTime


class RepresentativeList(Out):
    items: list[RepresentativeOut]


class TopicIn(Schema):
    month: str = Month
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    closes_at: Timestamp


class IdeaIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=5000)


class AnswerIn(Schema):
    answer: str = Field(min_length=1, max_length=5000)


class IdeaOut(Out):
    id: int
    topic_id: int
    title: str
    body: str
    author: PersonOut
    status: CouncilIdeaStatus
    supports: int
    supported: bool = Field(description="Whether the caller supports it.")
    mine: bool
    created_at: LocalTime
    selected_at: Optional[LocalTime]
    answer: Optional[str]
    answered_at: Optional[LocalTime]


class TopicOut(Out):
    id: int
    month: str
    title: str
    description: str
    status: CouncilTopicStatus
    closes_at: LocalTime
    ideas_count: int
    created_at: LocalTime
    selected: list[IdeaOut] = Field(description="The council's selection with management's answers (null until "
                                                "answered); in the list of topics, empty.")


class TopicPage(Out):
    items: list[TopicOut]
    page: int
    per_page: int
    total: int


class IdeaQuery(PageQuery):
    sort: Literal["support", "new"] = "support"
    status: Optional[CouncilIdeaStatus] = None


class IdeaPage(Out):
    items: list[IdeaOut]
    page: int
    per_page: int
    total: int
