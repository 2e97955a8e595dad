from __future__ import annotations

from typing import Optional

from pydantic import Field

from ..core.api import Out, Schema
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
