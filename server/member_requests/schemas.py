"""Input and output shapes of requests (API.md "Requests (诉求), grid liaisons, SLA clocks")."""
from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field

from ..core.api import GroupName, Out, PageQuery, RowId, Schema
from ..core.timeutil import LocalTime
from .models import RequestCategory, RequestStatus, TimelineAction

MAX_ATTACHMENTS = 6
UploadId = Annotated[str, Field(min_length=1, max_length=32)]


class RequestIn(Schema):
    category: RequestCategory
    title: str = Field(min_length=1, max_length=100)
    content: str = Field(min_length=1, max_length=5000)
    urgent: bool = False
    confidential: bool = False
    attachments: list[UploadId] = Field([], max_length=MAX_ATTACHMENTS)
    # A liaison raising it for a member of a grid they serve: by id, or by employee number (the
    # mini-program's form; liaisons have no member search).
    on_behalf_of: Optional[RowId] = None
    on_behalf_of_employee_no: Optional[str] = Field(None, min_length=1, max_length=32)


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=2000)
    # A note for handlers only; the member never sees it.
    internal: bool = False


class AssignIn(Schema):
    assignee_id: RowId


class ResolveIn(Schema):
    resolution: str = Field(min_length=1, max_length=2000)


class ConfirmIn(Schema):
    satisfaction: int = Field(ge=1, le=5)


class ReopenIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class RequestQuery(PageQuery):
    status: Optional[RequestStatus] = None
    category: Optional[RequestCategory] = None
    grid: Optional[GroupName] = None  # the grid's name, as shown in a request's "grid"
    overdue: bool = False
    member_id: Optional[RowId] = None  # one member's requests (the console's member page)


class PersonOut(Out):
    id: int
    name: str


class MemberBriefOut(PersonOut):
    """The member in a list row; employee number and department for staff only (null for liaisons)."""

    employee_no: Optional[str] = None
    department: Optional[str] = None


class TimelineStepOut(Out):
    at: LocalTime
    by: Optional[PersonOut] = Field(description="Who took the step; null for the system.")
    action: TimelineAction
    body: Optional[str] = None


class AttachmentOut(Out):
    id: str
    url: str


class RequestOut(Out):
    id: int
    category: RequestCategory
    title: str
    content: str
    urgent: bool
    confidential: bool
    status: RequestStatus
    grid: Optional[str]
    member: PersonOut
    assignee: Optional[PersonOut]
    created_at: LocalTime
    first_response_due_at: LocalTime
    resolve_due_at: LocalTime
    first_response_at: Optional[LocalTime]
    resolved_at: Optional[LocalTime]
    escalation_level: int
    overdue: bool
    timeline: list[TimelineStepOut]
    attachments: list[AttachmentOut]
    satisfaction: Optional[int]
    raised_by: Optional[PersonOut] = Field(description="The liaison who raised it on the member's behalf.")
    reopen_count: int


class RequestListItemOut(Out):
    """A row of a queue or of the member's own list: no content and no timeline (open the request)."""

    id: int
    category: RequestCategory
    title: str
    urgent: bool
    confidential: bool
    status: RequestStatus
    grid: Optional[str]
    member: MemberBriefOut
    assignee: Optional[PersonOut]
    created_at: LocalTime
    first_response_due_at: LocalTime
    resolve_due_at: LocalTime
    first_response_at: Optional[LocalTime]
    resolved_at: Optional[LocalTime]
    escalation_level: int
    overdue: bool


class RequestPage(Out):
    items: list[RequestListItemOut]
    page: int
    per_page: int
    total: int


class ConfidentialReadQuery(PageQuery):
    request_id: Optional[RowId] = None
    viewer_id: Optional[RowId] = None


class ConfidentialReadOut(Out):
    id: int
    request_id: int
    request_title: str
    viewer: PersonOut
    route: str
    viewed_at: LocalTime


class ConfidentialReadPage(Out):
    items: list[ConfidentialReadOut]
    page: int
    per_page: int
    total: int


class LiaisonGridsIn(Schema):
    grid_ids: list[RowId] = Field(max_length=100)


class GridOut(Out):
    id: int
    name: str


class GridSummaryOut(Out):
    id: int
    name: str
    members: int = Field(description="Active members whose roster row names the grid.")
    liaisons: list[PersonOut] = Field(description="Active liaisons serving it: by roster row or added by an admin.")


class GridListOut(Out):
    items: list[GridSummaryOut]


class LiaisonGridsOut(Out):
    member_id: int
    liaison: bool = Field(description="Whether the member holds the liaison role (only then are grids served).")
    own_grid: Optional[GridOut] = Field(description="The grid of the member's roster row, always served.")
    grids: list[GridOut] = Field(description="The grids an admin added.")
