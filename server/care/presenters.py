"""Rows → output models. The case page in a fixed number of statements; lists likewise."""
from __future__ import annotations

from sqlalchemy import select

from ..core.extensions import db
from ..fund.models import FundEntry
from ..members.models import Department, Grid, Member
from ..uploads.models import Upload
from .models import (
    CareAssessment,
    CareCase,
    CareDecision,
    CareDocument,
    CareGrant,
    CareHandler,
    CareStage,
    CareVisit,
)
from .schemas import (
    CareAssessmentOut,
    CareCaseListItem,
    CareCaseOut,
    CareDecisionOut,
    CareDocumentOut,
    CareGrantOut,
    CareMemberOut,
    CareOpenerOut,
    CarePerson,
    CareReadOut,
    CareTimelineItem,
    CareVisitOut,
    MyCareCase,
)
from .services import decidable_step

NEXT_STEP = {
    CareStage.opened: "申请已收到，工会干事将尽快受理并与您联系。",
    CareStage.assessing: "工会干事正在核实家庭情况和相关材料，可能会与您联系补充材料。",
    CareStage.awaiting_chair: "经办人已审核同意，正等待工会主席审批。",
    CareStage.approved: "帮扶申请已批准，工会将尽快发放帮扶。",
    CareStage.aided: "帮扶已发放，工会将安排回访了解您的近况。",
    CareStage.following_up: "工会将定期回访，如有新的困难请随时联系工会。",
    CareStage.closed: "本次帮扶已结案。如有新的困难，可以再次申请。",
    CareStage.rejected: "本次申请未获批准，如有疑问请联系工会干事。",
    CareStage.withdrawn: "您已撤回本次申请。",
}


def my_case_out(case: CareCase, timeline) -> MyCareCase:
    stage = CareStage(case.stage)
    return MyCareCase(id=case.id, category=case.category, stage=stage, stage_label=stage.label,
                      next_step=NEXT_STEP[stage], opened_at=case.opened_at, updated_at=case.updated_at,
                      timeline=[CareTimelineItem(stage=e.stage, at=e.at) for e in timeline])


def my_cases_out(cases, timelines) -> list[MyCareCase]:
    return [my_case_out(c, timelines.get(c.id, [])) for c in cases]


def list_items(rows, handlers) -> list[CareCaseListItem]:
    return [CareCaseListItem(id=c.id, member_name=name, department=dept, category=c.category, stage=c.stage,
                             handlers=handlers.get(c.id, []), opened_at=c.opened_at, updated_at=c.updated_at,
                             next_visit_due=c.next_visit_due) for c, name, dept in rows]


def case_out(case: CareCase, viewer, handler: bool) -> CareCaseOut:
    db.session.refresh(case)
    cid = case.id
    member = db.session.execute(
        select(Member.id, Member.name, Member.employee_no, Department.name.label("department"),
               Grid.name.label("grid"))
        .outerjoin(Department, Department.id == Member.department_id).outerjoin(Grid, Grid.id == Member.grid_id)
        .where(Member.id == case.member_id)).one()
    handler_rows = db.session.execute(select(CareHandler.member_id).where(CareHandler.case_id == cid)
                                      .order_by(CareHandler.added_at, CareHandler.member_id)).scalars().all()
    assessment = db.session.get(CareAssessment, cid)
    docs = db.session.execute(select(CareDocument, Upload.content_type, Upload.size)
                              .join(Upload, Upload.id == CareDocument.upload_id)
                              .where(CareDocument.case_id == cid).order_by(CareDocument.id)).all()
    decisions = db.session.scalars(select(CareDecision).where(CareDecision.case_id == cid)
                                   .order_by(CareDecision.id)).all()
    grants = db.session.execute(select(CareGrant, FundEntry.status).outerjoin(FundEntry,
                                                                              FundEntry.id == CareGrant.fund_entry_id)
                                .where(CareGrant.case_id == cid).order_by(CareGrant.id)).all()
    visits = db.session.scalars(select(CareVisit).where(CareVisit.case_id == cid).order_by(CareVisit.visited_at,
                                                                                           CareVisit.id)).all()
    ids = {case.opened_by_id, *handler_rows, *(d.uploaded_by for d, _, _ in docs), *(d.decided_by for d in decisions),
           *(g.granted_by for g, _ in grants), *(v.recorded_by for v in visits)}
    ids.discard(None)
    names = dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all()) if ids else {}

    def person(i):
        return CarePerson(id=i, name=names.get(i, "")) if i else None

    stage = CareStage(case.stage)
    return CareCaseOut(
        id=cid, member=CareMemberOut(**member._mapping), category=case.category, summary=case.summary,
        stage=stage, stage_label=stage.label,
        opened_by=CareOpenerOut(id=case.opened_by_id, name=names.get(case.opened_by_id, ""), role=case.opened_by_role),
        opened_at=case.opened_at, updated_at=case.updated_at, handlers=[person(i) for i in handler_rows],
        assessment=CareAssessmentOut(household_size=assessment.household_size,
                                     monthly_income_fen=assessment.monthly_income_fen,
                                     dependants=assessment.dependants, situation=assessment.situation,
                                     need=assessment.need, assessed_at=assessment.assessed_at) if assessment else None,
        documents=[CareDocumentOut(id=d.id, filename=d.filename, content_type=ct, size=size, uploaded_at=d.uploaded_at,
                                   uploaded_by=person(d.uploaded_by)) for d, ct, size in docs],
        decisions=[CareDecisionOut(step=d.step, decision=d.decision, comment=d.comment, round=d.round,
                                   decided_by=person(d.decided_by), decided_at=d.decided_at) for d in decisions],
        grants=[CareGrantOut(id=g.id, kind=g.kind, amount_fen=g.amount_fen, description=g.description,
                             fund_entry_id=g.fund_entry_id, fund_entry_status=status, granted_at=g.granted_at,
                             granted_by=person(g.granted_by)) for g, status in grants],
        visits=[CareVisitOut(id=v.id, visited_at=v.visited_at, visitors=v.visitors, notes=v.notes,
                             next_visit_due=v.next_visit_due, recorded_by=person(v.recorded_by)) for v in visits],
        next_visit_due=case.next_visit_due, request_id=case.request_id, purged=case.purged_at is not None,
        closed_at=case.closed_at, outcome=case.outcome, round=case.round,
        can_decide=decidable_step(viewer, case, handler),
    )


def reads_out(rows) -> list[CareReadOut]:
    return [CareReadOut(id=e.id, at=e.at, action=e.action,
                        actor=CarePerson(id=e.actor_id, name=name or "") if e.actor_id else None,
                        document_id=(e.after or {}).get("document_id")) for e, name in rows]

