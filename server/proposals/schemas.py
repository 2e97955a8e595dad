from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import Field, field_validator, model_validator

from ..core.api import Day, GroupName, Out, PageQuery, QuerySchema, RowId, Schema, Timestamp
from ..core.timeutil import LocalTime
from .models import ProposalAction, ProposalGrade, ProposalStatus

Text = Field(min_length=1, max_length=5000)


class SessionIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    closes_at: Timestamp
    min_cosigners: int = Field(2, ge=0, le=100)


class SessionOut(Out):
    id: int
    name: str
    closes_at: LocalTime
    min_cosigners: int
    open: bool = Field(description="Submissions accepted: closes_at not yet passed.")
    assignment_due_at: LocalTime = Field(description="Within 7 working days of closes_at: proposals assigned by then.")
    proposals_count: int = Field(description="Submitted proposals (drafts not counted).")
    created_at: LocalTime


class SessionPage(Out):
    items: list[SessionOut]
    page: int
    per_page: int
    total: int


class ProposalIn(Schema):
    session_id: RowId
    title: str = Field(min_length=1, max_length=100)
    problem: str = Text
    solution: str = Text
    department: GroupName
    deadline: Optional[Day] = None
    confidential: bool = False


class ProposalPatch(Schema):
    title: Optional[str] = Field(None, min_length=1, max_length=100)
    problem: Optional[str] = Field(None, min_length=1, max_length=5000)
    solution: Optional[str] = Field(None, min_length=1, max_length=5000)
    department: Optional[GroupName] = None
    deadline: Optional[Day] = None
    confidential: Optional[bool] = None

    @model_validator(mode="after")
    def _no_nulls(self):
        for name in ("title", "problem", "solution", "department", "confidential"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: 不能为空")
        return self


class CosignIn(Schema):
    invite: Optional[str] = Field(None, min_length=1, max_length=200,
                                  description="The token of a shared card (POST /proposals/{id}/invite).")


class InviteIn(Schema):
    member_ids: list[RowId] = Field(default_factory=list, max_length=50,
                                    description="Members found by name (cosigner-candidates), told by a notice.")


class InviteOut(Out):
    token: str
    page: str = Field(description="The mini-program page the shared card opens.")


class ReviewIn(Schema):
    decision: Literal["accept", "opinion", "reject"]
    reason: Optional[str] = Field(None, min_length=1, max_length=2000)


class AssignIn(Schema):
    lead_department: GroupName
    co_departments: list[GroupName] = Field(default_factory=list, max_length=20)
    due_date: Day


def _http_url(v: Optional[str]) -> Optional[str]:
    if v is not None and not (v.startswith("https://") or v.startswith("http://")):
        raise ValueError("只能填写 http:// 或 https:// 开头的链接")
    return v


class UpdateIn(Schema):
    body: str = Text
    images: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=9, description="Upload ids (POST /uploads), shown in this order.")
    video_url: Optional[str] = Field(None, min_length=8, max_length=500)

    _url = field_validator("video_url")(_http_url)


class CompleteIn(Schema):
    report: str = Text
    grade: ProposalGrade


class RatingIn(Schema):
    satisfaction: int = Field(ge=1, le=5)


class HeadLinkIn(Schema):
    department: GroupName


class HeadLinkOut(Out):
    id: str
    department: str
    url: str
    expires_at: LocalTime
    revoked_at: Optional[LocalTime] = None
    created_at: Optional[LocalTime] = None


class HeadLinkList(Out):
    items: list[HeadLinkOut]


class PersonOut(Out):
    id: int
    name: str
    department: Optional[str] = None


class TimelineOut(Out):
    at: LocalTime
    action: ProposalAction
    actor: Optional[PersonOut] = Field(description="Null for the system, for a department's head, or hidden.")
    department: Optional[str] = Field(description="The department a head's step is attributed to.")
    body: Optional[str]
    images: list[str] = Field(description="Image URLs (GET /uploads/{id}).")
    video_url: Optional[str]


class ProposalOut(Out):
    id: int
    number: str = Field(description="The proposal's number in its session (its id, zero-padded).")
    session_id: int
    session_name: str
    title: str
    problem: str
    solution: str
    department: str
    deadline: Optional[date]
    confidential: bool
    status: ProposalStatus
    proposer: Optional[PersonOut] = Field(description="Null for a confidential proposal unless staff or its proposer.")
    cosigners: Optional[list[PersonOut]] = Field(description="Null when hidden (confidential).")
    cosigners_count: int
    min_cosigners: int
    mine: bool
    cosigned: bool
    created_at: LocalTime
    submitted_at: Optional[LocalTime]
    reviewed_at: Optional[LocalTime]
    review_reason: Optional[str]
    assignment_due_at: Optional[LocalTime]
    assigned_at: Optional[LocalTime]
    lead_department: Optional[str]
    co_departments: list[str]
    due_date: Optional[date]
    overdue: bool
    completed_at: Optional[LocalTime]
    report: Optional[str]
    grade: Optional[ProposalGrade]
    satisfaction: Optional[int]
    timeline: list[TimelineOut]


class ProposalPage(Out):
    items: list[ProposalOut]
    page: int
    per_page: int
    total: int


class ProposalQuery(PageQuery):
    session_id: Optional[int] = Field(None, ge=1, le=2**31 - 1)
    status: Optional[ProposalStatus] = None


class CandidateQuery(QuerySchema):
    q: str = Field(min_length=1, max_length=50)


class CandidateOut(Out):
    id: int
    name: str
    department: Optional[str]


class CandidateList(Out):
    items: list[CandidateOut]
