from __future__ import annotations

from ..core.api import api
from . import bp
from .presenters import jobs_out
from .schemas import JobList, JobQuery


@bp.get("/admin/jobs")
@api(roles=["staff"], query=JobQuery, out=JobList)
def jobs(query: JobQuery):
    """What the scheduler will do next: its periodic jobs, pending reminders and scheduled notices."""
    return JobList(items=jobs_out(query.limit))
