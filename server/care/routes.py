"""HTTP for hardship aid cases (docs/care.md). Details answer 404 to anyone but the case's handlers and the
chair; reads of the case page and downloads of its documents are written to the audit trail, so those GETs
declare transaction="write"."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, g, request

from ..core.api import MULTIPART, PageQuery, api
from ..core.errors import AppError, invalid_request
from ..uploads.images import MAX_IMAGE_BYTES
from ..uploads.pdfs import MAX_PDF_BYTES
from . import bp, queries, services
from .access import for_details, is_chair
from .presenters import case_out, list_items, my_case_out, my_cases_out, reads_out
from .schemas import (
    CareAssessmentIn,
    CareCaseIn,
    CareCaseOut,
    CareCasePage,
    CareCaseQuery,
    CareCloseIn,
    CareDecisionIn,
    CareDocumentIn,
    CareDocumentOut,
    CareGrantIn,
    CareHandlerIn,
    CareReadPage,
    CareStatsOut,
    CareStatsQuery,
    CareVisitIn,
    MyCareCase,
    MyCareCasePage,
)

MAX_BODY = max(MAX_IMAGE_BYTES, MAX_PDF_BYTES) + 64 * 1024
STAFF = ["staff"]


def _detail(case_id: int) -> CareCaseOut:
    case, handler = for_details(g.member, case_id)
    return case_out(case, g.member, handler)


@bp.post("/care/cases")
@api(roles=["member"], body=CareCaseIn, out=MyCareCase, status=201, errors=["case_open", "forbidden"])
def open_case(body: CareCaseIn):
    """Open a case: a member for themself; a liaison for a member of a grid they serve (member_employee_no);
    staff for anyone. The chair and staff are told by number only. Answers the member's view of the case."""
    case = services.open_case(g.member, **body.model_dump())
    return my_case_out(case, queries.timelines([case.id])[case.id])


@bp.get("/me/care-cases")
@api(roles=["member"], query=PageQuery, out=MyCareCasePage)
def my_care_cases(query: PageQuery):
    """My cases: the stage, its dates and what happens next; never the notes."""
    cases, timelines, total = queries.my_cases(g.member.id, query.page, query.per_page)
    return MyCareCasePage(items=my_cases_out(cases, timelines), page=query.page, per_page=query.per_page,
                          total=total)


@bp.post("/care/cases/<int:case_id>/withdraw")
@api(roles=["member"], out=MyCareCase, errors=["not_found", "wrong_stage"])
def withdraw_case(case_id: int):
    """The member withdraws their own case before it is approved."""
    case = services.withdraw(g.member, case_id)
    return my_case_out(case, queries.timelines([case_id])[case_id])


@bp.get("/care/cases")
@api(roles=STAFF, query=CareCaseQuery, out=CareCasePage)
def list_cases(query: CareCaseQuery):
    """Staff: the cases they handle and unassigned new ones; the chair: all. No details (not a logged read)."""
    rows, handlers, total = queries.staff_list(g.member, stage=query.stage, category=query.category,
                                               mine=query.mine, page=query.page, per_page=query.per_page)
    return CareCasePage(items=list_items(rows, handlers), page=query.page, per_page=query.per_page, total=total)


@bp.get("/care/stats")
@api(roles=STAFF, query=CareStatsQuery, out=CareStatsOut)
def care_stats(query: CareStatsQuery):
    """Counts by stage and category, grants by kind with money totals (no names): for the report."""
    return CareStatsOut(**queries.stats(query.year))


@bp.get("/care/cases/<int:case_id>")
@api(roles=STAFF, out=CareCaseOut, errors=["not_found"], transaction="write")
def get_case(case_id: int):
    """The case's details, for its handlers and the chair (404 for anyone else). The read is logged."""
    case, handler = for_details(g.member, case_id)
    services.log_read(g.member, case)
    return case_out(case, g.member, handler)


@bp.post("/care/cases/<int:case_id>/handlers")
@api(roles=STAFF, body=CareHandlerIn, out=CareCaseOut, errors=["not_found", "case_taken", "wrong_stage", "forbidden"])
def add_handler(case_id: int, body: CareHandlerIn):
    """The chair assigns any staff member; a staff member takes an unassigned new case for themself."""
    services.add_handler(g.member, case_id, body.member_id)
    return _detail(case_id)


@bp.delete("/care/cases/<int:case_id>/handlers/<int:member_id>")
@api(roles=["secretary"], out=CareCaseOut, errors=["not_found", "forbidden"])
def remove_handler(case_id: int, member_id: int):
    """The chair takes a handler off the case."""
    for_details(g.member, case_id)
    if not is_chair(g.member):  # a handler who is also an admin: sees the case, may not change its handlers
        raise AppError("forbidden", "只有主席可以调整经办人")
    services.remove_handler(g.member, case_id, member_id)
    return _detail(case_id)


@bp.put("/care/cases/<int:case_id>/assessment")
@api(roles=STAFF, body=CareAssessmentIn, out=CareCaseOut, errors=["not_found", "wrong_stage", "forbidden"])
def put_assessment(case_id: int, body: CareAssessmentIn):
    """The handler's assessment of the household; the case moves to assessing."""
    services.assess(g.member, case_id, body.model_dump())
    return _detail(case_id)


@bp.post("/care/cases/<int:case_id>/documents")
@api(roles=STAFF, body=CareDocumentIn, out=CareDocumentOut, status=201, consumes=(MULTIPART,), max_body=MAX_BODY,
     errors=["not_found", "wrong_stage", "forbidden", "unsupported_image", "image_too_large", "invalid_pdf",
             "payload_too_large", "rate_limited", "service_unavailable"])
def add_document(case_id: int, body: CareDocumentIn | None = None):  # body: for the OpenAPI document
    """A document (multipart field ``file``: JPEG, PNG or WebP, re-encoded without metadata, or a plain PDF;
    at most 5 MB, checked by content), by a handler."""
    files = request.files.getlist("file") if request.mimetype == MULTIPART else []
    extra = [k for k in (*request.form, *request.files) if k != "file"]
    if extra:
        raise invalid_request({k: "不允许的字段" for k in extra})
    if len(files) != 1:
        raise invalid_request({"file": "缺少必填字段" if not files else "一次只能上传一份材料"})
    raw = files[0].stream.read(max(MAX_IMAGE_BYTES, MAX_PDF_BYTES) + 1)
    doc = services.add_document(g.member, case_id, files[0].filename or "", raw)
    return next(d for d in _detail_documents(case_id) if d.id == doc.id)


def _detail_documents(case_id: int):
    case, handler = for_details(g.member, case_id)
    return case_out(case, g.member, handler).documents


@bp.get("/care/cases/<int:case_id>/documents/<int:doc_id>")
@api(roles=STAFF, produces=["image/jpeg", "image/png", "application/pdf"], errors=["not_found"],
     transaction="write")
def download_document(case_id: int, doc_id: int):
    """A document's bytes, for the case's handlers and the chair; the download is logged."""
    doc, upload, data = services.document_for_download(g.member, case_id, doc_id)
    return Response(data, mimetype=upload.content_type, headers={
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.filename)}",
    })


@bp.post("/care/cases/<int:case_id>/decisions")
@api(roles=STAFF, body=CareDecisionIn, out=CareCaseOut, errors=["not_found", "wrong_stage", "same_person"])
def decide(case_id: int, body: CareDecisionIn):
    """Step 1 (a handler, in assessing) or step 2 (the chair, in awaiting_chair), inferred; four eyes."""
    services.decide(g.member, case_id, body.decision, body.comment)
    return _detail(case_id)


@bp.post("/care/cases/<int:case_id>/grants")
@api(roles=STAFF, body=CareGrantIn, out=CareCaseOut, status=201,
     errors=["not_found", "wrong_stage", "month_published"])
def add_grant(case_id: int, body: CareGrantIn):
    """Aid given; money becomes an expense entry in the fund ledger (named by case number only)."""
    services.grant(g.member, case_id, **body.model_dump())
    return _detail(case_id)


@bp.post("/care/cases/<int:case_id>/visits")
@api(roles=STAFF, body=CareVisitIn, out=CareCaseOut, status=201, errors=["not_found", "wrong_stage"])
def add_visit(case_id: int, body: CareVisitIn):
    """A follow-up visit; the case moves to following_up with the next visit's due date."""
    services.add_visit(g.member, case_id, **body.model_dump())
    return _detail(case_id)


@bp.post("/care/cases/<int:case_id>/close")
@api(roles=STAFF, body=CareCloseIn, out=CareCaseOut, errors=["not_found", "wrong_stage"])
def close_case(case_id: int, body: CareCloseIn):
    """Close the case with its outcome; the retention period starts."""
    services.close(g.member, case_id, body.outcome)
    return _detail(case_id)


@bp.get("/care/cases/<int:case_id>/reads")
@api(roles=["secretary"], query=PageQuery, out=CareReadPage, errors=["not_found"])
def case_reads(case_id: int, query: PageQuery):
    """Who read the case or downloaded its documents, when (the audit trail), newest first: the chair."""
    rows, total = queries.reads(g.member, case_id, query.page, query.per_page)
    return CareReadPage(items=reads_out(rows), page=query.page, per_page=query.per_page, total=total)
