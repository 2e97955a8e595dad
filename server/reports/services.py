"""Periods from the query, the report in each format, and the archive (the scheduler's and the CLI's)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.errors import AppError, invalid_request
from ..core.extensions import db, savepoint
from ..core.timeutil import SHANGHAI, utcnow
from .build import build_report
from .models import ArchivedReport
from .periods import Period

MIME = {"pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def period_from(quarter: Optional[str], year: Optional[int], now: Optional[datetime] = None) -> Period:
    """The quarter or the year asked for; neither: the last complete quarter. A period not yet begun is 400."""
    now = now or utcnow()
    if quarter and year:
        raise invalid_request({"year": "quarter 与 year 只能给出一个"}, "请只选择一个季度或一个年度")
    if quarter:
        try:
            period = Period.parse(quarter)
        except ValueError:
            raise invalid_request({"quarter": "格式应为 2026Q4"}) from None
    elif year:
        period = Period(year, None)
    else:
        period = Period.last_complete_quarter(now)
    if period.start > now.astimezone(SHANGHAI).date():
        field = "quarter" if period.quarter else "year"
        raise invalid_request({field: "该期间尚未开始"}, "该期间尚未开始，没有可统计的数据")
    return period


def render(report: dict, fmt: str) -> bytes:
    if fmt == "pdf":
        from . import pdf

        return pdf.render(report, current_app.config.get("FONT_PATH"))
    from . import xlsx

    return xlsx.render(report)


def filename(period: Period, fmt: str) -> str:
    return f"effectiveness-{period.key}.{fmt}"


def archive(period: Period, actor_id: Optional[int] = None, now: Optional[datetime] = None,
            notify: bool = True, origin: str = "scheduler") -> Optional[ArchivedReport]:
    """Generate the period's report with its PDF and keep it; the committee (staff and secretaries) is told.
    None when the period is already archived: the unique period key decides, so two schedulers, a retry or a
    restart keep one report and send one notice. Runs in the caller's transaction (a savepoint here)."""
    now = now or utcnow()
    data = build_report(period, now)
    pdf_bytes = render(data, "pdf")
    try:
        with savepoint():
            row = ArchivedReport(period=period.key, generated_at=now, generated_by=actor_id, origin=origin,
                                 data=data, pdf=pdf_bytes)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return None
    if notify:
        row.notice_id = _tell_committee(period, data)
    return row


def _tell_committee(period: Period, data: dict) -> Optional[int]:
    from ..member_requests.jobs import members_with_role
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    who = sorted(members_with_role("staff") | members_with_role("secretary"))
    if not who:
        return None
    lines = []
    for f in data["figures"]:
        if f["headline"] and f["value"] is not None:
            lines.append(f"{f['label']}：{format_value(f['unit'], f['value'])}")
    body = (f"{period.label}工会管理效能报告已生成并归档，请在管理后台「效能报告」查看、下载 PDF。\n"
            + "\n".join(lines[:6]))
    notice = notices.tell({"member_ids": who}, title=f"{period.label}效能报告已生成", body=body,
                          source=NoticeSource.report)
    return notice.id if notice else None


def format_value(unit: str, v) -> str:
    if v is None:
        return "—"
    return {"percent": f"{v * 100:.1f}%", "hours": f"{v:g} 小时", "days": f"{v:g} 天", "score": f"{v:.2f} 分",
            "times": f"{v:g} 次"}.get(unit, f"{v:,}")


def archived(period_key: str) -> ArchivedReport:
    row = db.session.scalar(select(ArchivedReport).where(ArchivedReport.period == period_key))
    if row is None:
        raise AppError("not_found", "该期报告尚未归档")
    return row


def archive_list() -> list:
    return db.session.execute(select(ArchivedReport.period, ArchivedReport.generated_at,
                                     ArchivedReport.origin, ArchivedReport.notice_id)
                              .order_by(ArchivedReport.period.desc())).all()
