from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field

from ..core.api import Out, PageQuery, Schema
from ..core.roles import MemberRole
from ..core.timeutil import LocalTime


class LoginIn(Schema):
    code: str = Field(min_length=1, max_length=128)


class BindIn(Schema):
    phone_code: str = Field(min_length=1, max_length=128)


class DevLoginIn(Schema):
    employee_no: str = Field(min_length=1, max_length=32)


class PasswordLoginIn(Schema):
    employee_no: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)


class MemberOut(Out):
    id: int
    employee_no: str
    name: str
    department: Optional[str]
    grid: Optional[str]
    roles: list[MemberRole]
    tags: list[str]
    phone_masked: Optional[str]


class LoginOut(Out):
    token: str
    expires_at: LocalTime
    member: Optional[MemberOut]


class BindOut(Out):
    member: MemberOut
    # A fresh token naming the member; the one from /auth/login keeps working too.
    token: str
    expires_at: LocalTime


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def member_out(m) -> MemberOut:
    return MemberOut(
        id=m.id, employee_no=m.employee_no, name=m.name,
        department=m.department.name if m.department else None,
        grid=m.grid.name if m.grid else None,
        roles=list(m.roles or []), tags=[t.name for t in m.tags], phone_masked=mask_phone(m.phone),
    )


# --- members for staff (the console's member pages) ------------------------------------------------

class MemberQuery(PageQuery):
    q: Optional[str] = Field(None, max_length=50)  # part of a name, employee number or phone
    department: Optional[str] = Field(None, max_length=100)
    grid: Optional[str] = Field(None, max_length=100)
    tag: Optional[str] = Field(None, max_length=50)
    role: Optional[MemberRole] = None
    # Deactivated members are left out unless asked for.
    include_inactive: bool = False
    # false: phones masked and nothing logged (a recipient picker needs names, not numbers).
    with_phone: bool = True


class StaffMemberOut(MemberOut):
    """A member as staff see them: the full phone (each answer logged) and the account's state."""

    phone: Optional[str]
    is_active: bool
    has_password: bool


class MemberPage(Out):
    items: list[StaffMemberOut]
    page: int
    per_page: int
    total: int


class MemberRegistrationOut(Out):
    event_id: int
    title: str
    starts_at: LocalTime
    status: str
    checked_in_at: Optional[LocalTime]


class MemberBookingOut(Out):
    booking_id: int
    calendar: str
    starts_at: LocalTime
    ends_at: LocalTime
    status: str


class MemberCheckinOut(Out):
    event_id: int
    title: str
    checked_in_at: LocalTime
    method: str


class MemberCounts(Out):
    registrations: int
    bookings: int
    checkins: int


class MemberDetailOut(StaffMemberOut):
    counts: MemberCounts
    # The most recent of each (DETAIL_ROWS), newest first.
    registrations: list[MemberRegistrationOut]
    bookings: list[MemberBookingOut]
    checkins: list[MemberCheckinOut]


class MemberPatchIn(Schema):
    """Admin edits; an absent field stays as it is, null or "" clears phone, department or grid."""

    phone: Optional[str] = Field(None, max_length=30)
    department: Optional[str] = Field(None, max_length=100)
    grid: Optional[str] = Field(None, max_length=100)
    tags: Optional[list[Annotated[str, Field(min_length=1, max_length=50)]]] = Field(None, max_length=50)
    roles: Optional[list[MemberRole]] = Field(None, max_length=len(MemberRole))


class RosterUploadIn(Schema):
    """multipart/form-data: the roster file (.csv or .xlsx), as `flask members import` reads it."""

    file: bytes = Field(json_schema_extra={"format": "binary"})


class RejectionOut(Out):
    line: int
    employee_no: str
    reason: str


class ImportReportOut(Out):
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectionOut]


class PasswordResetOut(Out):
    """The new console password, shown once to the admin who reset it."""

    password: str


class PhoneAccessQuery(PageQuery):
    member_id: Optional[int] = Field(None, ge=1, le=2**31 - 1)
    viewer_id: Optional[int] = Field(None, ge=1, le=2**31 - 1)


class PersonOut(Out):
    id: int
    name: str
    employee_no: str
    department: Optional[str]


class PhoneAccessOut(Out):
    id: int
    viewer: PersonOut
    member: PersonOut
    route: str
    viewed_at: LocalTime


class PhoneAccessPage(Out):
    items: list[PhoneAccessOut]
    page: int
    per_page: int
    total: int
