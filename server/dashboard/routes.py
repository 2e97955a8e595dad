from __future__ import annotations

from ..core.api import api
from ..core.timeutil import utcnow
from . import bp, queries
from .schemas import DashboardOut


@bp.get("/dashboard")
@api(roles=["staff"], out=DashboardOut)
def dashboard():
    """The console's first page: today's and the coming week's events with sign-up and check-in counts,
    today's bookings, open suggestions, failing deliveries, and check-ins per month by department over the
    last 12 months (Beijing months)."""
    return queries.dashboard(utcnow())
