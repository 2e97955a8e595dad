from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import Field

from ..core.api import Out, QuerySchema
from ..core.timeutil import LocalTime
from .models import ReportOrigin

Number = Optional[Union[int, float]]


class ReportQuery(QuerySchema):
    quarter: Optional[str] = Field(None, max_length=6, pattern=r"^\d{4}Q[1-4]$", description="2026Q4")
    year: Optional[int] = Field(None, ge=2000, le=2100, description="A whole calendar year instead of a quarter.")
    format: Literal["json", "pdf", "xlsx"] = "json"


class PeriodOut(Out):
    key: str
    kind: Literal["quarter", "year"]
    label: str
    start: str
    end: str
    complete: bool = Field(description="False while the period is still running: figures are to date.")


class FigureOut(Out):
    key: str
    section: str
    label: str
    unit: Literal["percent", "count", "hours", "days", "score", "times"]
    better: Optional[Literal["higher", "lower"]]
    headline: bool
    value: Number = Field(description="Percent as a fraction 0..1; null: nothing to measure or under five.")
    previous: Number
    change: Number
    definition: str


class ColumnOut(Out):
    key: str
    label: str
    unit: Optional[str]
    figure: Optional[str] = Field(None, description="The figure its cells stand for: such a cell can be named by an "
                                  "improvement item as <table>:<row>:<column>.")


class ChartOut(Out):
    kind: Literal["bar", "line"]
    series: list[str]


class TableOut(Out):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]] = Field(description="key, label, merged and one value per column key.")
    chart: Optional[ChartOut]
    note: Optional[str]


class SectionOut(Out):
    key: str
    title: str
    figures: list[str]
    tables: list[TableOut]
    note: Optional[str]


class CheckOwner(Out):
    id: int
    name: str


class CheckOut(Out):
    id: int
    title: str
    figure: str
    figure_label: str
    group: Optional[str]
    unit: Optional[str]
    better: Optional[str]
    target: Optional[float]
    value: Number
    met: Optional[bool]
    verdict: Literal["已达标", "未达标", "无法判断", "进行中"]
    due_date: str
    status: str
    owner: CheckOwner


class ReportOut(Out):
    period: PeriodOut
    previous: PeriodOut
    generated_at: str
    min_group: int
    improvements: list[CheckOut]
    figures: list[FigureOut]
    sections: list[SectionOut]


class ArchivedOut(Out):
    period: str
    label: str
    generated_at: LocalTime
    origin: ReportOrigin = Field(description="scheduler: after the period; command: `flask report --store`.")
    notice_id: Optional[int]


class ArchiveList(Out):
    items: list[ArchivedOut]
