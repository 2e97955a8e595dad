"""HTTP for the effectiveness report (docs/reports.md)."""
from __future__ import annotations

from flask import Response

from ..core.api import api
from . import bp, services
from .periods import Period
from .schemas import ArchivedOut, ArchiveList, ReportOut, ReportQuery


def _download(body: bytes, fmt: str, name: str) -> Response:
    resp = Response(body, mimetype=services.MIME[fmt])
    resp.headers["Content-Disposition"] = f'{"inline" if fmt == "pdf" else "attachment"}; filename="{name}"'
    return resp


@bp.get("/reports/effectiveness")
@api(roles=["staff"], query=ReportQuery, out=ReportOut, produces=[services.MIME["pdf"], services.MIME["xlsx"]],
     errors=["poster_font_missing"])
def effectiveness(query: ReportQuery):
    """The management effectiveness report for a quarter (``quarter=2026Q4``) or a year (``year=2026``),
    computed now from the data held; without either, the last complete quarter. ``format`` json, pdf or xlsx."""
    from .build import build_report

    period = services.period_from(query.quarter, query.year)
    report = build_report(period)
    if query.format == "json":
        return ReportOut.model_validate(report)
    return _download(services.render(report, query.format), query.format, services.filename(period, query.format))


@bp.get("/reports/effectiveness/archive")
@api(roles=["staff"], out=ArchiveList)
def archive_list():
    """The reports generated after each period (by the scheduler or `flask report --store`), newest first."""
    return ArchiveList(items=[ArchivedOut(period=p, label=Period.parse(p).label, generated_at=at, origin=o,
                                          notice_id=n)
                              for p, at, o, n in services.archive_list()])


@bp.get("/reports/effectiveness/archive/<period>.pdf")
@api(roles=["staff"], produces=[services.MIME["pdf"]], errors=["not_found"])
def archived_pdf(period: str):
    """The archived report's PDF, as sent to the committee."""
    row = services.archived(period)
    return _download(row.pdf, "pdf", services.filename(Period.parse(row.period), "pdf"))


@bp.get("/reports/effectiveness/archive/<period>")
@api(roles=["staff"], out=ReportOut, errors=["not_found"])
def archived_json(period: str):
    """The archived report's figures as they were when generated."""
    return ReportOut.model_validate(services.archived(period).data)

