"""Input and output shapes of surveys (API.md "Surveys")."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Optional

from pydantic import Field, model_validator

from ..core.api import GroupName, Out, PageQuery, QuerySchema, Schema, Timestamp
from .models import QuestionKind, SurveyStatus

TEXT_MAX = 2000
OptionText = Annotated[str, Field(min_length=1, max_length=200)]
TagName = Annotated[str, Field(min_length=1, max_length=50)]


class SurveyAudienceIn(Schema):
    """The one audience shape: ``{"all": true}``, or departments/grids/tags (every kind listed must match).
    Nothing listed also means everyone."""
    all: Optional[bool] = None
    departments: list[GroupName] = Field(default_factory=list, max_length=200)
    grids: list[GroupName] = Field(default_factory=list, max_length=200)
    tags: list[GroupName] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _all_alone(self):
        if self.all is False:
            raise ValueError("all: 只能为 true；如需指定对象请列出部门、网格或标签")
        if self.all and (self.departments or self.grids or self.tags):
            raise ValueError("all: 全体会员时不能再指定部门、网格或标签")
        return self

    def groups(self) -> dict[str, list[str]]:
        return {"departments": self.departments, "grids": self.grids, "tags": self.tags}


class SurveyAudienceOut(Out):
    all: bool
    departments: list[str]
    grids: list[str]
    tags: list[str]


class QuestionIn(Schema):
    kind: QuestionKind
    text: str = Field(min_length=1, max_length=500)
    options: Optional[list[OptionText]] = Field(None, max_length=30)
    required: bool = True
    option_tags: Optional[dict[str, TagName]] = Field(None, max_length=30)


class SurveyIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=5000)
    anonymous: bool
    audience: SurveyAudienceIn
    opens_at: Timestamp
    closes_at: Timestamp
    questions: list[QuestionIn] = Field(min_length=1, max_length=100)


class SurveyPatch(Schema):
    title: Optional[str] = Field(None, min_length=1, max_length=100)
    description: Optional[str] = Field(None, max_length=5000)
    anonymous: Optional[bool] = None
    audience: Optional[SurveyAudienceIn] = None
    opens_at: Optional[Timestamp] = None
    closes_at: Optional[Timestamp] = None
    questions: Optional[list[QuestionIn]] = Field(None, min_length=1, max_length=100)


class QuestionOut(Out):
    question: int  # its index in the survey, as answers name it
    kind: QuestionKind
    text: str
    options: list[str]
    required: bool
    option_tags: dict[str, str]


class SurveyOut(Out):
    id: int
    title: str
    description: Optional[str]
    anonymous: bool
    status: SurveyStatus
    audience: SurveyAudienceOut
    opens_at: datetime
    closes_at: datetime
    created_at: datetime
    published_at: Optional[datetime]
    questions: list[QuestionOut]
    eligible_count: int
    answered_count: int


class SurveyPage(Out):
    items: list[SurveyOut]
    page: int
    per_page: int
    total: int


class SurveyListQuery(PageQuery):
    status: Optional[SurveyStatus] = None


class MemberQuestionOut(Out):
    question: int
    kind: QuestionKind
    text: str
    options: list[str]
    required: bool


class MemberSurveyOut(Out):
    """A survey as a member of its audience sees it (GET /surveys/{id}); /me/surveys lists it without
    ``questions``."""
    id: int
    title: str
    description: Optional[str]
    anonymous: bool
    status: SurveyStatus
    opens_at: datetime
    closes_at: datetime
    answered: bool
    question_count: int
    questions: Optional[list[MemberQuestionOut]] = None


class MemberSurveyPage(Out):
    items: list[MemberSurveyOut]
    page: int
    per_page: int
    total: int


class AnswerIn(Schema):
    question: int = Field(ge=0, le=1000)
    choice: Optional[int] = Field(None, ge=0, le=1000)
    choices: Optional[list[Annotated[int, Field(ge=0, le=1000)]]] = Field(None, max_length=30)
    value: Optional[int] = Field(None, ge=1, le=5)
    text: Optional[str] = Field(None, max_length=TEXT_MAX)


class ResponseIn(Schema):
    answers: list[AnswerIn] = Field(max_length=100)


class ResponseCreatedOut(Out):
    survey_id: int
    answered: bool
    tags_added: list[str]  # identified surveys: the needs-profile tags the answers added (empty otherwise)


class ResultsQuery(QuerySchema):
    by: Optional[Literal["department", "grid", "tag"]] = None


class OptionCount(Out):
    option: int
    text: str
    count: int


class QuestionResult(Out):
    question: int
    kind: QuestionKind
    text: str
    answered: int  # respondents who answered it
    options: Optional[list[OptionCount]] = None  # single, multiple
    distribution: Optional[dict[str, int]] = None  # scale: "1".."5"
    mean: Optional[float] = None  # scale
    texts: Optional[list[str]] = None  # text, in a random order


class GroupQuestionResult(Out):
    question: int
    options: Optional[list[OptionCount]] = None
    mean: Optional[float] = None


class GroupResult(Out):
    group: str  # a department, grid or tag name, or "other" for the merged small groups
    respondents: int
    questions: list[GroupQuestionResult]


class SurveyResultsOut(Out):
    survey_id: int
    anonymous: bool
    status: SurveyStatus
    respondents: int
    pending: int  # anonymous responses accepted and not yet filed (they count once filed)
    questions: list[QuestionResult]
    by: Optional[str] = None
    groups: Optional[list[GroupResult]] = None


class TurnoutGroup(Out):
    department: str  # a department name, "other" (merged groups under 5), or "" for members without one
    eligible: int
    answered: int


class SurveyTurnoutOut(Out):
    survey_id: int
    eligible: int
    answered: int
    rate: float
    by_department: list[TurnoutGroup]
