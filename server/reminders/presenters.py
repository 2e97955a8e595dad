"""Output of the scheduler's view for staff: what runs next, in a fixed number of statements."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, select, text

from ..core.extensions import db
from ..notices.models import Notice, NoticeStatus
from . import services
from .schemas import JobOut

JOB_LABELS = {"reminders": "发送到期的活动提醒", "notices": "发送到点的定时通知", "workdays": "提醒录入工作日历",
              "lease": "续租调度器锁"}


def jobs_out(limit: int) -> list[JobOut]:
    """The periodic jobs, pending reminders and scheduled notices, soonest first, at most ``limit``."""
    items: list[JobOut] = []
    if inspect(db.engine).has_table("apscheduler_jobs"):
        for job_id, ts in db.session.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all():
            items.append(JobOut(id=f"job:{job_id}", kind="periodic",
                                next_run_at=datetime.fromtimestamp(ts, UTC) if ts else None,
                                target=None, label=JOB_LABELS.get(job_id, job_id)))
    for r in services.upcoming(limit):
        items.append(JobOut(id=f"reminder:{r.id}", kind=f"{r.kind}_reminder", next_run_at=r.due_at,
                            target=f"{r.kind}:{r.target_id}", label=f"开始前 {r.offset_minutes} 分钟提醒"))
    for n in db.session.scalars(select(Notice).where(Notice.status == NoticeStatus.scheduled)
                                .order_by(Notice.send_at).limit(limit)):
        items.append(JobOut(id=f"notice:{n.id}", kind="scheduled_notice", next_run_at=n.send_at,
                            target=f"notice:{n.id}", label=f"定时通知：{n.title}"))
    far = datetime.max.replace(tzinfo=UTC)
    items.sort(key=lambda j: j.next_run_at or far)
    return items[:limit]
