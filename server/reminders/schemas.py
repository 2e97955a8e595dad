from __future__ import annotations

from typing import Optional

from pydantic import Field

from ..core.api import Out, QuerySchema
from ..core.timeutil import LocalTime


class JobOut(Out):
    id: str
    kind: str
    next_run_at: Optional[LocalTime]
    target: Optional[str]
    label: str


class JobList(Out):
    items: list[JobOut]


class JobQuery(QuerySchema):
    limit: int = Field(100, ge=1, le=1000)
