from __future__ import annotations

from datetime import date
from typing import Optional

from pydantic import ConfigDict, Field

from ..core.api import Out, PageQuery, Schema
from ..core.timeutil import LocalTime
from .models import MessageAuthor, SuggestionCategory, SuggestionStatus


class SuggestionIn(Schema):
    category: SuggestionCategory
    title: Optional[str] = Field(None, max_length=100)
    content: str = Field(min_length=1, max_length=2000)


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=2000)


class StaffMessageIn(MessageIn):
    # Reply and mark answered in one step (one transaction: the reply is never stored without the status
    # the staff member chose, nor the status without the reply).
    mark_answered: bool = False


class SuggestionPatch(Schema):
    status: Optional[SuggestionStatus] = None
    public: Optional[bool] = None


class SuggestionInboxQuery(PageQuery):
    status: Optional[SuggestionStatus] = None
    category: Optional[SuggestionCategory] = None


class CreatedOut(Out):
    id: str
    receipt: str = Field(description="Shown once; the only way back to the suggestion.")
    status: str


class MessageOut(Out):
    model_config = ConfigDict(from_attributes=True, serialize_by_alias=True, populate_by_name=True)

    from_: MessageAuthor = Field(alias="from")
    body: str
    created_at: LocalTime


class SuggestionOut(Out):
    id: str
    category: SuggestionCategory
    category_label: str
    title: Optional[str]
    content: str
    status: SuggestionStatus
    public: bool
    submitted_on: date


class MineOut(Out):
    suggestion: SuggestionOut
    messages: list[MessageOut]


class StaffSuggestionOut(SuggestionOut):
    messages: list[MessageOut]


class AnswerOut(Out):
    body: str
    created_at: LocalTime


class PublicSuggestionOut(Out):
    id: str
    category: SuggestionCategory
    category_label: str
    title: Optional[str]
    content: str
    submitted_on: date
    answers: list[AnswerOut]


# Named page classes (not Page[...] aliases) so the OpenAPI document can refer to them.
class SuggestionInboxPage(Out):
    items: list[StaffSuggestionOut]
    page: int
    per_page: int
    total: int


class SuggestionBoardPage(Out):
    items: list[PublicSuggestionOut]
    page: int
    per_page: int
    total: int


class StatGroup(Out):
    key: str
    label: str
    count: int


class StatsOut(Out):
    total: Optional[int] = Field(description="Null when under 5.")
    by_category: list[StatGroup]
    by_month: list[StatGroup]
