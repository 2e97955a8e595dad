"""Input and output shapes of the check-in endpoints (API.md "Events, sign-up, check-in")."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ..core.api import Out, QuerySchema, Schema, Timestamp
from ..core.timeutil import LocalTime

# Generous bounds: a real code is ~45 characters and a ticket ~110; anything longer is not ours.
TOKEN_MAX = 300
BATCH_MAX = 500


class ImageQuery(QuerySchema):
    format: Optional[Literal["json", "png"]] = None


class CodeCheckinIn(Schema):
    token: str = Field(min_length=1, max_length=TOKEN_MAX)


class TicketCheckinIn(Schema):
    ticket: str = Field(min_length=1, max_length=TOKEN_MAX)
    scanned_at: Optional[Timestamp] = None


class BatchItemIn(Schema):
    ticket: str = Field(min_length=1, max_length=TOKEN_MAX)
    scanned_at: Timestamp


class BatchIn(Schema):
    items: list[BatchItemIn] = Field(min_length=1, max_length=BATCH_MAX)


class CheckinCodeOut(Out):
    token: str
    qr_content: str
    valid_until: LocalTime
    period_seconds: int
    # The window members can check in; outside it every scan is 409 checkin_closed, so the screen
    # shows a notice instead of a code nobody can use.
    checkin_opens_at: LocalTime
    checkin_closes_at: LocalTime
    checkin_open: bool


class TicketOut(Out):
    ticket: str
    qr_content: str


class CheckinKeyOut(Out):
    event_id: int
    algorithm: Literal["Ed25519"]
    public_key: str
    public_key_pem: str
    ticket_format: str


class CheckinOut(Out):
    event_id: int
    checked_in_at: LocalTime
    status: Literal["checked_in"]


class StaffCheckinOut(CheckinOut):
    member_id: int
    # Who was let in, as every staff list names a member (name, employee number, department).
    name: str
    employee_no: str
    department: Optional[str]


class BatchError(Out):
    code: str
    message: str


class BatchItemOut(Out):
    index: int
    status: Literal["checked_in", "already_checked_in", "error"]
    member_id: Optional[int] = None
    # The member the ticket names, when it names one on the roster (a forged ticket names nobody).
    name: Optional[str] = None
    employee_no: Optional[str] = None
    department: Optional[str] = None
    checked_in_at: Optional[LocalTime] = None
    error: Optional[BatchError] = None


class BatchOut(Out):
    items: list[BatchItemOut]


class CheckinStatsOut(Out):
    registered: int
    checked_in: int
    walk_ins: int
