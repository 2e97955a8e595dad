from __future__ import annotations

from datetime import date
from typing import Optional

from pydantic import Field, model_validator

from ..core.api import Day, Out, QuerySchema, Schema
from .models import WorkdaySource

MAX_SPAN_DAYS = 366


class WorkdayQuery(QuerySchema):
    from_: Day = Field(alias="from")
    to: Day

    @model_validator(mode="after")
    def _span(self):
        if self.to < self.from_:
            raise ValueError("to: 结束日期不能早于开始日期")
        if (self.to - self.from_).days + 1 > MAX_SPAN_DAYS:
            raise ValueError(f"to: 一次最多查询 {MAX_SPAN_DAYS} 天")
        return self


class WorkdayOut(Out):
    date: date
    workday: bool
    name: Optional[str]
    known: bool
    # Added to the contract's fields: where the answer comes from (the console shows it).
    source: WorkdaySource


class WorkdayList(Out):
    items: list[WorkdayOut]


class WorkdayIn(Schema):
    workday: bool
    name: Optional[str] = Field(None, max_length=40)


class WorkdayStatusOut(Out):
    # Of this year and the next, those known neither to the package nor to the admins (API.md).
    unknown_years: list[int]
    # Those the console banner warns about today: this year, and from November on the next.
    warn_years: list[int]
    message: Optional[str]


class ScheduleUploadIn(Schema):
    """multipart/form-data: the schedule file (CSV ``date,workday,name``), as `flask workdays import` reads it."""

    file: bytes = Field(json_schema_extra={"format": "binary"})


class ScheduleImportOut(Out):
    rows: int
    created: int
    updated: int
    unchanged: int
    years: list[int]
