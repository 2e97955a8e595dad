"""Benefit endpoints: campaigns (staff), claims and claim codes (members), redemption online, offline and
through a delegate (staff), stats and the claims list."""
from __future__ import annotations

from flask import Response, g

from ..core.api import api
from ..core.exports import download, local_text
from ..core.signed_codes import qr_png
from . import bp, services
from .models import ClaimDelivery, ClaimStatus, RedeemedVia
from .presenters import benefit_out, benefits_out, claim_out, claim_result_out, staff_claim_out
from .schemas import (
    BenefitBatchError,
    BenefitBatchIn,
    BenefitBatchItemOut,
    BenefitBatchOut,
    BenefitCancelClaimOut,
    BenefitClaimIn,
    BenefitClaimOut,
    BenefitClaimPage,
    BenefitClaimQuery,
    BenefitDeliveryIn,
    BenefitImageQuery,
    BenefitIn,
    BenefitKeyOut,
    BenefitOut,
    BenefitPage,
    BenefitPatch,
    BenefitQrOut,
    BenefitQuery,
    BenefitRedeemIn,
    BenefitRedemptionOut,
    BenefitStaffClaimPage,
    BenefitStatsOut,
    MyClaimQuery,
)

CLAIM_ERRORS = ["not_found", "already_claimed", "out_of_stock", "claim_closed", "not_eligible", "benefit_cancelled"]
REDEEM_ERRORS = ["not_found", "invalid_token", "already_redeemed", "redeem_closed", "claim_cancelled",
                 "benefit_cancelled"]


def _batch_out(results) -> BenefitBatchOut:
    return BenefitBatchOut(items=[
        BenefitBatchItemOut(index=r.index, status=r.status, claim_id=r.claim_id, member_name=r.member_name,
                            employee_no=r.employee_no, department=r.department, option_name=r.option_name,
                            redeemed_at=r.redeemed_at,
                            error=BenefitBatchError(code=r.error.code, message=r.error.message) if r.error else None)
        for r in results])


@bp.post("/benefits")
@api(roles=["staff"], body=BenefitIn, out=BenefitOut, status=201)
def create_benefit(body: BenefitIn):
    """A campaign with its options, claim window and redemption deadline; ``announce`` tells the audience."""
    data = body.model_dump()
    data["options"] = [o.model_dump() for o in body.options]
    data["audience"] = body.audience.model_dump() if body.audience else None
    return benefit_out(services.create(g.member.id, **data), g.member.id, staff=True)


@bp.get("/benefits")
@api(roles=["member"], query=BenefitQuery, out=BenefitPage)
def list_benefits(query: BenefitQuery):
    """Campaigns: a member's (published, audience admits them; open, redeeming, upcoming first); staff with
    scope=all see every campaign with claim and redemption counts."""
    everything = query.scope == "all" and g.member.is_staff
    rows, total = services.listing(g.member, everything=everything, phase_=query.phase, page=query.page,
                                   per_page=query.per_page)
    return BenefitPage(items=benefits_out(rows, g.member.id, staff=everything), page=query.page,
                       per_page=query.per_page, total=total)


@bp.get("/benefits/<int:benefit_id>")
@api(roles=["member"], out=BenefitOut, errors=["not_found", "not_eligible"])
def get_benefit(benefit_id: int):
    """A campaign with its options (stock left) and my claim; 403 not_eligible outside its audience."""
    staff = g.member.is_staff
    return benefit_out(services.get_for(g.member, benefit_id, staff), g.member.id, staff)


@bp.patch("/benefits/<int:benefit_id>")
@api(roles=["staff"], body=BenefitPatch, out=BenefitOut, errors=["not_found", "benefit_cancelled"])
def patch_benefit(benefit_id: int, body: BenefitPatch):
    """Title, description, later deadlines, more stock, new options."""
    changes = body.model_dump(exclude_unset=True)
    if body.options is not None:
        changes["options"] = [o.model_dump(exclude_unset=True) for o in body.options]
    return benefit_out(services.update_benefit(benefit_id, changes), g.member.id, staff=True)


@bp.post("/benefits/<int:benefit_id>/cancel")
@api(roles=["staff"], out=BenefitOut, errors=["not_found", "benefit_cancelled"])
def cancel_benefit(benefit_id: int):
    """Call the campaign off; members holding a claim are told."""
    return benefit_out(services.cancel(benefit_id), g.member.id, staff=True)


@bp.post("/benefits/<int:benefit_id>/claims")
@api(roles=["member"], body=BenefitClaimIn, out=BenefitClaimOut, status=201, errors=CLAIM_ERRORS,
     deferred_member=True, transaction="own")
def claim_benefit(benefit_id: int, body: BenefitClaimIn):
    """Claim one option (one claim per member); the answer carries the signed claim code."""
    return claim_result_out(services.claim(g.member_id, benefit_id, body.option_id, body.delivery))


@bp.get("/me/claims")
@api(roles=["member"], query=MyClaimQuery, out=BenefitClaimPage)
def list_my_claims(query: MyClaimQuery):
    """My claims, newest first."""
    rows, total = services.my_claims(g.member.id, query.status, query.page, query.per_page)
    return BenefitClaimPage(items=[claim_out(r) for r in rows], page=query.page, per_page=query.per_page,
                            total=total)


@bp.get("/claims/<int:claim_id>")
@api(roles=["member"], out=BenefitClaimOut, errors=["not_found"])
def get_claim(claim_id: int):
    """One of my claims."""
    return claim_out(services.own_claim(g.member.id, claim_id))


@bp.get("/claims/<int:claim_id>/qr")
@api(roles=["member"], query=BenefitImageQuery, out=BenefitQrOut, produces=["image/png"], errors=["not_found"])
def claim_qr(claim_id: int, query: BenefitImageQuery):
    """My claim code for staff to scan; ?format=png for the QR image."""
    code = claim_out(services.own_claim(g.member.id, claim_id)).claim_code
    if query.format == "png":
        return Response(qr_png(code), mimetype="image/png", headers={"Cache-Control": "no-store"})
    return BenefitQrOut(claim_code=code, qr_content=code)


@bp.delete("/claims/<int:claim_id>")
@api(roles=["member"], out=BenefitCancelClaimOut,
     errors=["not_found", "claim_cancelled", "already_redeemed", "claim_closed", "benefit_cancelled"])
def cancel_claim(claim_id: int):
    """Give my claim back before the claim window closes; the item returns to the stock."""
    c = services.cancel_claim(g.member.id, claim_id)
    return BenefitCancelClaimOut(id=c.id, status="cancelled")


@bp.get("/benefits/<int:benefit_id>/stats")
@api(roles=["staff"], out=BenefitStatsOut, errors=["not_found"])
def benefit_stats(benefit_id: int):
    """Eligible, claimed, redeemed, rates, by option and by department."""
    return BenefitStatsOut(**services.stats(benefit_id))


XLSX_HEADERS = ["工号", "姓名", "部门", "选项", "领取方式", "状态", "领取时间", "核销时间", "核销方式", "代领人"]


@bp.get("/benefits/<int:benefit_id>/claims")
@api(roles=["staff"], query=BenefitClaimQuery, out=BenefitStaffClaimPage,
     produces=["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"], errors=["not_found"])
def list_claims(benefit_id: int, query: BenefitClaimQuery):
    """The campaign's claims with the members; ?format=xlsx downloads every matching claim."""
    xlsx = query.format == "xlsx"
    rows, total = services.staff_claims(benefit_id, status=query.status, delivery=query.delivery,
                                        department=query.department, q=query.q, page=query.page,
                                        per_page=query.per_page, everything=xlsx)
    if xlsx:
        b = services.get(benefit_id)
        cells = ([r.employee_no, r.member_name, r.department or "", r.option_name,
                  ClaimDelivery(r[0].delivery).label, ClaimStatus(r[0].status).label, local_text(r[0].claimed_at),
                  local_text(r[0].redeemed_at), RedeemedVia(r[0].redeemed_via).label if r[0].redeemed_via else "",
                  r.delegate_name or ""] for r in rows)
        return download(cells, XLSX_HEADERS, "xlsx", sheet="领取名单", ascii_name=f"benefit-claims-{benefit_id}",
                        filename=f"{b.title}-领取名单")
    return BenefitStaffClaimPage(items=[staff_claim_out(r) for r in rows], page=query.page,
                                 per_page=query.per_page, total=total)


@bp.post("/benefits/<int:benefit_id>/redemptions")
@api(roles=["staff"], body=BenefitRedeemIn, out=BenefitRedemptionOut, status=201, errors=REDEEM_ERRORS,
     deferred_member=True, transaction="own")
def redeem(benefit_id: int, body: BenefitRedeemIn):
    """Redeem (核销) a scanned claim code; scanned_at for a scan made offline. Again: 409 already_redeemed."""
    r = services.redeem(g.member_id, benefit_id, body.claim_code, body.scanned_at)
    return BenefitRedemptionOut(claim_id=r.claim_id, member_name=r.member_name, employee_no=r.employee_no,
                                department=r.department, option_name=r.option_name, redeemed_at=r.redeemed_at,
                                status="redeemed", redeemed_via=r.redeemed_via)


@bp.post("/benefits/<int:benefit_id>/redemptions/batch")
@api(roles=["staff"], body=BenefitBatchIn, out=BenefitBatchOut, errors=["not_found", "benefit_cancelled"])
def redeem_batch(benefit_id: int, body: BenefitBatchIn):
    """Sync scans made offline (at most 500); each item has its own result."""
    return _batch_out(services.redeem_batch(g.member.id, benefit_id,
                                            [(i.claim_code, i.scanned_at) for i in body.items]))


@bp.get("/benefits/<int:benefit_id>/redeem-key")
@api(roles=["staff"], out=BenefitKeyOut, errors=["not_found"])
def redeem_key(benefit_id: int):
    """The public key that verifies this campaign's claim codes offline."""
    return BenefitKeyOut(**services.redeem_key(services.get(benefit_id)))


@bp.post("/benefits/<int:benefit_id>/deliveries")
@api(roles=["staff"], body=BenefitDeliveryIn, out=BenefitBatchOut, errors=["not_found", "benefit_cancelled"])
def deliver(benefit_id: int, body: BenefitDeliveryIn):
    """A delegate collects for members whose claims asked for workshop delivery; each claim redeemed on its
    own and recorded with the delegate."""
    results, _ = services.deliver(g.member.id, benefit_id, body.delegate_employee_no, body.claim_ids)
    return _batch_out(results)
