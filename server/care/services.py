"""Case rules. Services never commit. Every stage step is one conditional UPDATE of the case row
(``… WHERE id = :id AND stage IN (…)``): of two people acting at once the second waits for the row lock, then
matches nothing and is told 409 wrong_stage; decisions are also unique per (case, step, round). Every action is
appended to the audit trail with ids and enum values only, never a case's contents."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..audit_trail import services as trail
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, savepoint
from ..core.timeutil import utcnow
from ..members.models import Member
from ..uploads.attach import attach, register_reader
from ..workdays.calendar import local_date
from .access import (
    for_details,
    for_handler,
    get_case,
    is_chair,
    is_handler,
    may_handle,
    not_found,
)
from .models import (
    TERMINAL,
    CareAssessment,
    CareCase,
    CareDecision,
    CareDecisionKind,
    CareDecisionStep,
    CareDocument,
    CareGrant,
    CareGrantKind,
    CareHandler,
    CareOpener,
    CareStage,
    CareStageEvent,
    CareVisit,
)

log = logging.getLogger(__name__)
ENTITY = "care_case"
ATTACH_KIND = "care_case"
MAX_DOCUMENTS = 30
WITHDRAWABLE = (CareStage.opened, CareStage.assessing, CareStage.awaiting_chair)
GRANTABLE = (CareStage.approved, CareStage.aided, CareStage.following_up)
CLOSABLE = GRANTABLE
DOCUMENTABLE = tuple(s for s in CareStage if s not in TERMINAL)
LEDGER_TEXT = "困难职工帮扶个案 #{id}"


def _never_through_uploads(_member, _case_id: int) -> bool:
    # A case's documents are served only by GET /care/cases/{id}/documents/{doc_id}, which logs each download.
    return False


register_reader(ATTACH_KIND, _never_through_uploads)


def wrong_stage(case: CareCase | None = None, message: str | None = None) -> AppError:
    details = {"stage": str(case.stage)} if case is not None else None
    return AppError("wrong_stage", message, details=details)


def _log(case_id: int, action: str, actor_id: int | None, **after) -> None:
    trail.record(ENTITY, case_id, action, actor_id=actor_id, after=after or None)


def _move(case: CareCase, from_stages, to_stage: str | None, now: datetime, *, round_: int | None = None,
          also=(), **values) -> bool:
    """The conditional UPDATE of a step. ``to_stage`` None keeps the stage (the row is still locked and
    touched). Adds the timeline event when the stage changes; False when the case was no longer in a
    ``from_stages`` stage (someone else acted first)."""
    where = [CareCase.id == case.id, CareCase.stage.in_([str(s) for s in from_stages])]
    if round_ is not None:
        where.append(CareCase.round == round_)
    where.extend(also)
    values["updated_at"] = now
    if to_stage is not None:
        values["stage"] = to_stage
        if to_stage in TERMINAL:
            values.update(closed_at=now, open_category=None, next_visit_due=None)
    done = db.session.execute(update(CareCase).where(*where).values(**values)
                              .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        return False
    if to_stage is not None and to_stage != case.stage:
        db.session.add(CareStageEvent(case_id=case.id, stage=to_stage, at=now))
    db.session.flush()
    db.session.expire(case)
    return True


# --- opening ---------------------------------------------------------------------------------------

def _staff_and_chairs() -> list[int]:
    from ..member_requests.access import role_condition

    return list(db.session.scalars(select(Member.id).where(
        Member.is_active.is_(True), role_condition("staff") | role_condition("secretary"))))


def _tell(member_ids: list[int], title: str, body: str, page: str | None = None) -> None:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    if member_ids and notices.tell({"member_ids": sorted(set(member_ids))}, title=title, body=body, page=page,
                                   source=NoticeSource.care) is None:
        log.info("care notice %r: nobody to tell", title)


# What the member is told when their case reaches one of these stages (the stage only, never the details).
MEMBER_NEWS = {
    CareStage.approved: "您的帮扶申请 #{id} 已批准，工会将尽快发放帮扶。",
    CareStage.rejected: "您的帮扶申请 #{id} 未获批准，如有疑问请联系工会干事。",
    CareStage.closed: "您的帮扶个案 #{id} 已结案。如有新的困难，可以再次申请。",
}
MEMBER_PAGE = "pages/care/index"


def _tell_member(case_id: int, stage: str) -> None:
    if stage in MEMBER_NEWS:
        member_id = db.session.scalar(select(CareCase.member_id).where(CareCase.id == case_id))
        _tell([member_id], "帮扶申请进展", MEMBER_NEWS[stage].format(id=case_id), MEMBER_PAGE)


def open_case(actor: Member, *, category: str, summary: str, request_id: int | None = None,
              member_employee_no: str | None = None, notify: bool = True, now: datetime | None = None) -> CareCase:
    """A new case in stage opened. The member for themself; a liaison for a member of a grid they serve (403
    forbidden otherwise); staff for anyone. One open case per member and category: 409 case_open with
    details.case_id. The chair and staff are told, by number only."""
    from ..member_requests.access import served_grid_ids
    from ..member_requests.models import Request

    now = now or utcnow()
    if member_employee_no is None or member_employee_no == actor.employee_no:
        member, role = actor, CareOpener.member
    else:
        member = db.session.scalars(select(Member).where(Member.employee_no == member_employee_no,
                                                         Member.is_active.is_(True))).first()
        if actor.is_staff:
            role = CareOpener.staff
        elif actor.has_any_role(["liaison"]):
            role = CareOpener.liaison
        else:
            raise AppError("forbidden", "只能为本人申请帮扶")
        if member is None:
            raise invalid_request({"member_employee_no": "工号不存在或会员已停用"})
        if role == CareOpener.liaison and (member.grid_id is None or member.grid_id not in served_grid_ids(actor)):
            raise AppError("forbidden", "联络员只能为本网格的会员申请帮扶")
    if request_id is not None:
        owner = db.session.scalar(select(Request.member_id).where(Request.id == request_id))
        if owner != member.id:
            raise invalid_request({"request_id": "诉求不存在或不属于该会员"})
    case = CareCase(member_id=member.id, category=category, open_category=category, summary=summary,
                    stage=CareStage.opened, round=1, handler_count=0, opened_by_id=actor.id, opened_by_role=role,
                    opened_at=now, updated_at=now, request_id=request_id)
    try:
        with savepoint():
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(select(CareCase.id).where(CareCase.member_id == member.id,
                                                               CareCase.open_category == category))
        raise AppError("case_open", details={"case_id": existing}) from None
    db.session.add(CareStageEvent(case_id=case.id, stage=CareStage.opened, at=now))
    _log(case.id, "open", actor.id, member_id=member.id, category=category, opened_by_role=str(role))
    if notify:
        _tell(_staff_and_chairs(), f"新的帮扶申请 #{case.id}", f"新的帮扶申请 #{case.id}，请登录后台查看。")
    db.session.flush()
    return case


def withdraw(member: Member, case_id: int, now: datetime | None = None) -> CareCase:
    """The member withdraws their own case before it is approved (409 wrong_stage after)."""
    case = get_case(case_id)
    if case.member_id != member.id:
        raise not_found()
    if not _move(case, WITHDRAWABLE, CareStage.withdrawn, now or utcnow()):
        raise wrong_stage(get_case(case_id), "帮扶申请已审批，不能撤回")
    _log(case.id, "withdraw", member.id)
    return case


# --- handlers --------------------------------------------------------------------------------------

def _check_handler_candidate(member_id: int) -> Member:
    m = db.session.get(Member, member_id)
    if m is None or not m.is_active or not may_handle(m):
        raise invalid_request({"member_id": "经办人须为在职的工会干事或主席"})
    return m


def add_handler(actor: Member, case_id: int, member_id: int, now: datetime | None = None) -> CareCase:
    """The chair assigns any staff member; a staff member takes an unassigned new case for themself, by one
    conditional UPDATE (handler_count 0 → 1), so of two taking it at once one becomes its handler and the
    other is told 409 case_taken. A case that was not unassigned and new when asked is 404 to staff, as in
    their list."""
    now = now or utcnow()
    case = get_case(case_id)
    if is_chair(actor):
        _check_handler_candidate(member_id)
        if case.stage in TERMINAL:
            raise wrong_stage(case, "个案已结束，不能再指派经办人")
        try:
            with savepoint():
                db.session.add(CareHandler(case_id=case.id, member_id=member_id, added_by=actor.id, added_at=now))
                db.session.flush()
        except IntegrityError:
            return case  # already a handler: the same answer again
        if not _move(case, [s for s in CareStage if s not in TERMINAL], None, now,
                     handler_count=CareCase.handler_count + 1):
            raise wrong_stage(get_case(case_id), "个案已结束，不能再指派经办人")
        _log(case.id, "assign", actor.id, handler_id=member_id)
        return case
    if member_id != actor.id or not may_handle(actor):
        raise AppError("forbidden", "只有主席可以指派经办人；工会干事只能受理未分配的新个案")
    if is_handler(actor.id, case.id):
        return case
    if case.stage != CareStage.opened or case.handler_count != 0:
        raise not_found()  # not in this person's list: its existence is not disclosed
    if not _move(case, [CareStage.opened], None, now, also=[CareCase.handler_count == 0], handler_count=1):
        if is_handler(actor.id, case.id):  # their own second tap, committed meanwhile: the same answer
            return case
        raise AppError("case_taken")
    db.session.add(CareHandler(case_id=case.id, member_id=actor.id, added_by=actor.id, added_at=now))
    db.session.flush()
    _log(case.id, "take", actor.id, handler_id=actor.id)
    return case


def remove_handler(actor: Member, case_id: int, member_id: int, now: datetime | None = None) -> CareCase:
    """The chair takes a handler off a case."""
    case = get_case(case_id)
    gone = db.session.execute(delete(CareHandler).where(CareHandler.case_id == case.id,
                                                        CareHandler.member_id == member_id)).rowcount
    if gone != 1:
        raise AppError("not_found", "该会员不是本个案的经办人")
    db.session.execute(update(CareCase).where(CareCase.id == case.id)
                       .values(handler_count=CareCase.handler_count - 1, updated_at=now or utcnow())
                       .execution_options(synchronize_session=False))
    db.session.expire(case)
    _log(case.id, "unassign", actor.id, handler_id=member_id)
    return case


# --- assessment and documents ------------------------------------------------------------------------

ASSESSMENT_FIELDS = ("household_size", "monthly_income_fen", "dependants", "situation", "need")


def assess(actor: Member, case_id: int, fields: dict, now: datetime | None = None) -> CareCase:
    """The handler writes (or rewrites) the household situation; the case moves to assessing."""
    now = now or utcnow()
    case = for_handler(actor, case_id)
    if not _move(case, [CareStage.opened, CareStage.assessing], CareStage.assessing, now):
        raise wrong_stage(get_case(case_id), "个案已提交审批，不能再修改评估")
    row = db.session.get(CareAssessment, case.id)  # the case row is locked: no one else writes it meanwhile
    data = {k: fields.get(k) for k in ASSESSMENT_FIELDS}
    if row is None:
        db.session.add(CareAssessment(case_id=case.id, assessed_by=actor.id, assessed_at=now, **data))
    else:
        for k, v in data.items():
            setattr(row, k, v)
        row.assessed_by, row.assessed_at = actor.id, now
    db.session.flush()
    _log(case.id, "assess", actor.id)
    return case


def add_document(actor: Member, case_id: int, filename: str, raw: bytes, now: datetime | None = None) -> CareDocument:
    """A document (image or PDF) checked and stored through the uploads domain, attached to the case. Its
    bytes are served only by the case's download route (which logs the read), never by /uploads."""
    from ..uploads import services as uploads
    from ..uploads.pdfs import looks_like_pdf

    now = now or utcnow()
    case = for_handler(actor, case_id)
    if case.stage not in DOCUMENTABLE:
        raise wrong_stage(case, "个案已结束，不能再上传材料")
    count = db.session.scalar(select(func.count()).select_from(CareDocument).where(CareDocument.case_id == case.id))
    if count >= MAX_DOCUMENTS:
        raise invalid_request({"file": f"每个个案最多 {MAX_DOCUMENTS} 份材料"})
    upload = uploads.store_pdf(actor.id, raw) if looks_like_pdf(raw) else uploads.store_image(actor.id, raw)
    attach([upload.id], owner_id=actor.id, kind=ATTACH_KIND, attached_id=case.id, limit=1, pdf=True)
    if not _move(case, DOCUMENTABLE, None, now):
        raise wrong_stage(get_case(case_id), "个案已结束，不能再上传材料")
    doc = CareDocument(case_id=case.id, upload_id=upload.id, filename=_clean_name(filename, upload.content_type),
                       uploaded_by=actor.id, uploaded_at=now)
    db.session.add(doc)
    db.session.flush()
    _log(case.id, "document", actor.id, document_id=doc.id)
    return doc


def _clean_name(filename: str, content_type: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    ext = {"application/pdf": ".pdf", "image/png": ".png"}.get(content_type, ".jpg")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    # Images are re-encoded (a WebP becomes a JPEG): the name says what the bytes now are.
    return (stem[:150] or "材料") + ext


def document_for_download(actor: Member, case_id: int, doc_id: int):
    """The document's row and bytes for a handler or the chair; the download is logged."""
    from ..uploads.models import Upload
    from ..uploads.storage import storage

    case, _ = for_details(actor, case_id)
    row = db.session.execute(select(CareDocument, Upload).join(Upload, Upload.id == CareDocument.upload_id)
                             .where(CareDocument.id == doc_id, CareDocument.case_id == case.id)).first()
    if row is None:
        raise AppError("not_found", "材料不存在")
    doc, upload = row
    try:
        data = storage().get(upload.storage_key)
    except FileNotFoundError:
        log.error("care document %s has a row but no file", doc.id)
        raise AppError("not_found", "材料不存在") from None
    _log(case.id, "download", actor.id, document_id=doc.id)
    return doc, upload, data


def log_read(actor: Member, case: CareCase) -> None:
    _log(case.id, "read", actor.id)


# --- decisions -------------------------------------------------------------------------------------

def handler_decision(case_id: int, round_: int) -> CareDecision | None:
    return db.session.scalars(select(CareDecision).where(
        CareDecision.case_id == case_id, CareDecision.step == CareDecisionStep.handler,
        CareDecision.round == round_)).first()


def decidable_step(actor: Member, case: CareCase, handler: bool) -> str | None:
    """The step ``actor`` may decide now, or None."""
    if case.stage == CareStage.assessing and handler:
        return CareDecisionStep.handler
    if case.stage == CareStage.awaiting_chair and is_chair(actor):
        first = handler_decision(case.id, case.round)
        if first is None or first.decided_by != actor.id:
            return CareDecisionStep.chair
    return None


def decide(actor: Member, case_id: int, decision: str, comment: str = "", now: datetime | None = None,
           notify: bool = True) -> CareCase:
    """Step 1, a handler in assessing: approve (→ awaiting_chair) or reject. Step 2, the chair in
    awaiting_chair: approve (→ approved), reject, or return (→ assessing, a new round). The chair never
    decides step 2 of a round whose step 1 they made (409 same_person). Wrong stage or someone first:
    409 wrong_stage."""
    now = now or utcnow()
    case, handler = for_details(actor, case_id)
    r = case.round
    if case.stage == CareStage.assessing:
        if not handler:
            raise wrong_stage(case, "个案尚在核实评估中，由经办人先行审核")
        if decision == CareDecisionKind.return_:
            raise invalid_request({"decision": "经办人审核只能同意或不同意"})
        step = CareDecisionStep.handler
        to = CareStage.awaiting_chair if decision == CareDecisionKind.approve else CareStage.rejected
    elif case.stage == CareStage.awaiting_chair:
        if not is_chair(actor):
            raise wrong_stage(case, "个案正等待主席审批")
        first = handler_decision(case.id, r)
        if first is not None and first.decided_by == actor.id:
            raise AppError("same_person")
        step = CareDecisionStep.chair
        to = {CareDecisionKind.approve: CareStage.approved, CareDecisionKind.reject: CareStage.rejected,
              CareDecisionKind.return_: CareStage.assessing}[CareDecisionKind(decision)]
    else:
        raise wrong_stage(case)
    extra = {"round": r + 1} if to == CareStage.assessing else {}
    if not _move(case, [case.stage], to, now, round_=r, **extra):
        raise wrong_stage(get_case(case_id), "个案状态已变化（可能已有人先行审批），请刷新后查看")
    try:
        with savepoint():
            db.session.add(CareDecision(case_id=case_id, step=step, round=r, decision=decision,
                                        comment=comment or None, decided_by=actor.id, decided_at=now))
            db.session.flush()
    except IntegrityError:  # the key backs the conditional UPDATE: one decision per step and round
        raise wrong_stage(None, "该步骤已有审批结果") from None
    _log(case_id, "decide", actor.id, step=str(step), decision=str(decision), round=r)
    if notify:
        _tell_member(case_id, to)
    return case


# --- aid, visits, closing --------------------------------------------------------------------------

def _handler_or_chair(actor: Member, case_id: int) -> CareCase:
    case, _handler = for_details(actor, case_id)
    return case


def grant(actor: Member, case_id: int, *, kind: str, amount_fen: int | None, description: str,
          now: datetime | None = None) -> CareGrant:
    """Aid given, in stage approved, aided or following_up (approved → aided). A money grant is an expense
    entry in the fund ledger (category CARE_FUND_CATEGORY), subject to its approval threshold; the entry names
    the case by number only, never the member (the ledger is published to every member)."""
    from ..fund import services as fund

    now = now or utcnow()
    case = _handler_or_chair(actor, case_id)
    if kind == CareGrantKind.money and amount_fen is None:
        raise invalid_request({"amount_fen": "救助金须填写金额（分）"})
    if case.stage not in GRANTABLE:
        raise wrong_stage(case, "个案尚未批准或已结束，不能发放帮扶")
    # approved → aided; an aided or following-up case keeps its stage. Either way the row is now locked.
    if not (_move(case, [CareStage.approved], CareStage.aided, now)
            or _move(case, [CareStage.aided, CareStage.following_up], None, now)):
        raise wrong_stage(get_case(case_id), "个案尚未批准或已结束，不能发放帮扶")
    entry_id = None
    if kind == CareGrantKind.money:
        text = LEDGER_TEXT.format(id=case_id)
        entry = fund.create_entry(actor.id, date=local_date(now), kind="expense",
                                  category=current_app.config["CARE_FUND_CATEGORY"], amount_fen=amount_fen,
                                  counterparty=text, note=f"{text} 救助金")
        entry_id = entry.id
    g = CareGrant(case_id=case_id, kind=kind, amount_fen=amount_fen, description=description,
                  fund_entry_id=entry_id, granted_by=actor.id, granted_at=now)
    db.session.add(g)
    db.session.flush()
    _log(case_id, "grant", actor.id, grant_id=g.id, kind=str(kind), amount_fen=amount_fen, fund_entry_id=entry_id)
    return g


def add_visit(actor: Member, case_id: int, *, visited_at: datetime, visitors: str, notes: str,
              next_visit_due: date | None, now: datetime | None = None) -> CareVisit:
    """A follow-up visit after aid (stage aided or following_up → following_up); the case's next visit due
    date becomes this visit's (none ends the reminders)."""
    now = now or utcnow()
    case = _handler_or_chair(actor, case_id)
    if visited_at > now + timedelta(minutes=10):
        raise invalid_request({"visited_at": "回访时间不能晚于现在"})
    if next_visit_due is not None and next_visit_due <= local_date(visited_at):
        raise invalid_request({"next_visit_due": "下次回访日期须晚于本次回访"})
    if not _move(case, [CareStage.aided, CareStage.following_up], CareStage.following_up, now,
                 next_visit_due=next_visit_due):
        raise wrong_stage(get_case(case_id), "发放帮扶后才能登记回访")
    v = CareVisit(case_id=case_id, visited_at=visited_at, visitors=visitors, notes=notes or None,
                  next_visit_due=next_visit_due, recorded_by=actor.id, recorded_at=now)
    db.session.add(v)
    db.session.flush()
    _log(case_id, "visit", actor.id, visit_id=v.id)
    return v


def close(actor: Member, case_id: int, outcome: str, now: datetime | None = None, notify: bool = True) -> CareCase:
    """Close an approved, aided or following-up case with its outcome; the retention clock starts."""
    case = _handler_or_chair(actor, case_id)
    if not _move(case, CLOSABLE, CareStage.closed, now or utcnow(), outcome=outcome):
        raise wrong_stage(get_case(case_id), "个案尚未批准或已结束，不能结案")
    _log(case_id, "close", actor.id)
    if notify:
        _tell_member(case_id, CareStage.closed)
    return case
