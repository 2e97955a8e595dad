"""Rows → output models; a page of campaigns in a fixed number of statements."""
from __future__ import annotations

from ..core import audiences as audiences_
from . import services
from .models import Benefit, BenefitAudience
from .schemas import BenefitClaimOut, BenefitOptionOut, BenefitOut, BenefitStaffClaimOut


def claim_out(row) -> BenefitClaimOut:
    """From a claims-query row (claim, benefit, option_name, delegate_name, ...)."""
    c, b = row[0], row[1]
    return BenefitClaimOut(id=c.id, benefit_id=b.id, benefit_title=b.title, option_id=c.option_id,
                           option_name=row.option_name, claim_code=services.claim_code(b, c.id, c.member_id),
                           status=c.status, delivery=c.delivery, claimed_at=c.claimed_at, redeemed_at=c.redeemed_at,
                           redeem_until=b.redeem_until, redeemed_via=c.redeemed_via, delegate_name=row.delegate_name)


def staff_claim_out(row) -> BenefitStaffClaimOut:
    return BenefitStaffClaimOut(**claim_out(row).model_dump(), member_name=row.member_name,
                                employee_no=row.employee_no, department=row.department)


def claim_result_out(r: services.ClaimResult) -> BenefitClaimOut:
    return BenefitClaimOut(**r.__dict__)


def benefits_out(rows: list[Benefit], member_id: int, staff: bool) -> list[BenefitOut]:
    ids = [b.id for b in rows]
    names = audiences_.names(BenefitAudience, BenefitAudience.benefit_id, ids)
    options = services.options_of(ids)
    mine = services.my_claims_in(member_id, ids)
    counts = services.counts_of(ids) if staff else {}
    return [BenefitOut(
        id=b.id, title=b.title, description=b.description, kind=b.kind, season=b.season, audience=names[b.id],
        options=[BenefitOptionOut(id=o.id, name=o.name, description=o.description, stock=o.stock, claimed=o.claimed,
                                  left=None if o.stock is None else max(o.stock - o.claimed, 0))
                 for o in options[b.id]],
        claim_opens_at=b.claim_opens_at, claim_closes_at=b.claim_closes_at, redeem_until=b.redeem_until,
        allow_workshop_delivery=b.allow_workshop_delivery, status=b.status, phase=services.phase(b),
        created_at=b.created_at, my_claim=claim_out(mine[b.id]) if b.id in mine else None,
        claimed_count=counts[b.id]["claimed"] if staff else None,
        redeemed_count=counts[b.id]["redeemed"] if staff else None) for b in rows]


def benefit_out(b: Benefit, member_id: int, staff: bool) -> BenefitOut:
    return benefits_out([b], member_id, staff)[0]
