"""Benefit rules. Services never commit (the request or the job does).

- A claim takes one unit of the option's stock with a conditional UPDATE (``claimed < stock``) in the same
  transaction as the claim row; the partial unique index (benefit_id, member_id) among live claims makes a
  second claim by the same member fail whatever the timing, and its stock UPDATE is undone with it.
  On PostgreSQL the whole claim is one statement (``_CLAIM_PG``), which commits on its own.
- A claim code ``b1.{benefit_id}.{claim_id}.{member_id}.{sig}`` is signed by the campaign's own key
  (server/core/signed_codes.py, as event tickets are); redemption is a conditional UPDATE claimed → redeemed,
  so a code is redeemed once however many devices scan it; a later scan answers the first time.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Optional

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.exc import IntegrityError

from ..core import audiences as audiences_
from ..core import signed_codes
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise, savepoint, statement_per_transaction
from ..core.timeutil import SHANGHAI, UTCDateTime, to_local_iso, utcnow
from ..members.auth import expand_roles, expected_token_version, load_member, member_confirmed
from ..members.models import Department, Member
from .models import (
    Benefit,
    BenefitAudience,
    BenefitClaim,
    BenefitOption,
    BenefitPhase,
    BenefitStatus,
    ClaimDelivery,
    ClaimStatus,
    RedeemedVia,
)

log = logging.getLogger(__name__)
PAGE = "pages/benefits/detail?id={id}"
CLAIM_PAGE = "pages/benefits/claims"
CODE_FORMAT = ("b1.{benefit_id}.{claim_id}.{member_id}.{signature}; signature = base64url (no padding) of the "
               "Ed25519 signature over the UTF-8 bytes of \"b1.{benefit_id}.{claim_id}.{member_id}\"")
_CODE = re.compile(r"(b1\.(\d{1,12})\.(\d{1,12})\.(\d{1,12}))\.(" + signed_codes.SIGNATURE_PATTERN + ")")
LIVE = (ClaimStatus.claimed, ClaimStatus.redeemed)


def not_found() -> AppError:
    return AppError("not_found", "福利活动不存在")


def claim_not_found() -> AppError:
    return AppError("not_found", "领取记录不存在")


def get(benefit_id: int, lock: bool = False) -> Benefit:
    return get_or_raise(Benefit, benefit_id, not_found, lock=lock)


def _local(t: datetime) -> str:
    return t.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")


def _tell(audience: dict, title: str, body: str, page: str, sms_fallback: bool = False) -> Optional[int]:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    notice = notices.tell(audience, title=title, body=body, page=page, source=NoticeSource.benefit,
                          sms_fallback=sms_fallback)
    if notice is None:
        log.info("benefit notice %r: nobody to tell", title)
        return None
    return notice.id


def phase(b, now: datetime | None = None) -> str:
    now = now or utcnow()
    if b.status == BenefitStatus.cancelled:
        return BenefitPhase.closed
    if now < b.claim_opens_at:
        return BenefitPhase.upcoming
    if now < b.claim_closes_at:
        return BenefitPhase.open
    if now <= b.redeem_until:
        return BenefitPhase.redeeming
    return BenefitPhase.ended


def _phase_condition(p: str, now: datetime):
    published = Benefit.status == BenefitStatus.published
    return {
        BenefitPhase.upcoming: and_(published, Benefit.claim_opens_at > now),
        BenefitPhase.open: and_(published, Benefit.claim_opens_at <= now, Benefit.claim_closes_at > now),
        BenefitPhase.redeeming: and_(published, Benefit.claim_closes_at <= now, Benefit.redeem_until >= now),
        BenefitPhase.ended: and_(published, Benefit.redeem_until < now),
        BenefitPhase.closed: Benefit.status == BenefitStatus.cancelled,
    }[p]


def audience_filter(member: Member):
    """SQL condition on Benefit: the member is in its audience (every kind, as events; empty admits all)."""
    return audiences_.admits(BenefitAudience, BenefitAudience.benefit_id, Benefit.id,
                             *audiences_.member_values(member))


def _admits_member_row(benefit_id):
    """SQL condition on the outer members row: the benefit's audience admits it."""
    return audiences_.admits(BenefitAudience, BenefitAudience.benefit_id, benefit_id, *audiences_.member_columns())


def is_eligible(member: Member, benefit_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Benefit.id == benefit_id, audience_filter(member)))))


# --- codes --------------------------------------------------------------------------------------------

def claim_code(b: Benefit, claim_id: int, member_id: int) -> str:
    return signed_codes.sign(b.redeem_key, f"b1.{b.id}.{claim_id}.{member_id}")


def _invalid_token(reason: str, message: str = "领取码无效", **details) -> AppError:
    return AppError("invalid_token", message, details={"reason": reason, **details})


def read_code(b: Benefit, code: str) -> tuple[int, int]:
    """(claim_id, member_id) from a claim code of this campaign. Raises 400 invalid_token (details.reason:
    malformed, foreign (another campaign's), forged)."""
    m = _CODE.fullmatch(code)
    if m is None or any(g != str(int(g)) for g in (m[2], m[3], m[4])):
        raise _invalid_token("malformed")
    if int(m[2]) != b.id:
        raise _invalid_token("foreign", "该领取码不属于本次福利活动", benefit_id=int(m[2]))
    if not signed_codes.verify(b.redeem_key, m[1], m[5]):
        raise _invalid_token("forged")
    return int(m[3]), int(m[4])


def redeem_key(b: Benefit) -> dict:
    return {"benefit_id": b.id, "algorithm": "Ed25519", **signed_codes.public_key_info(b.redeem_key),
            "format": CODE_FORMAT}


# --- campaigns ----------------------------------------------------------------------------------------

def _set_audience(b: Benefit, audience: dict | None) -> None:
    rows = audiences_.resolve_rows(audience)
    db.session.execute(delete(BenefitAudience).where(BenefitAudience.benefit_id == b.id))
    if rows:
        db.session.execute(insert(BenefitAudience), [{"benefit_id": b.id, "kind": k, "ref_id": r} for k, r in rows])


def create(staff_id: int | None, *, title: str, options: list[dict], claim_opens_at: datetime,
           claim_closes_at: datetime, redeem_until: datetime, description: str = "", kind: str = "seasonal",
           season: str | None = None, audience: dict | None = None, allow_workshop_delivery: bool = False,
           announce: bool = True) -> Benefit:
    """A published campaign with its options; ``announce`` tells its audience (source benefit).
    Raises 400 invalid_request (windows, unknown audience names, duplicate option names)."""
    if claim_closes_at <= claim_opens_at:
        raise invalid_request({"claim_closes_at": "领取截止时间须晚于开始时间"})
    if redeem_until < claim_closes_at:
        raise invalid_request({"redeem_until": "核销截止时间不能早于领取截止时间"})
    names = [o["name"] for o in options]
    if len(set(names)) != len(names):
        raise invalid_request({"options": "选项名称重复"})
    rows = audiences_.resolve_rows(audience)
    now = utcnow()
    b = Benefit(title=title, description=description, kind=kind, season=season, claim_opens_at=claim_opens_at,
                claim_closes_at=claim_closes_at, redeem_until=redeem_until,
                allow_workshop_delivery=allow_workshop_delivery, status=BenefitStatus.published,
                redeem_key=signed_codes.new_key(), created_by=staff_id, created_at=now, updated_at=now)
    db.session.add(b)
    db.session.flush()
    if rows:
        db.session.execute(insert(BenefitAudience), [{"benefit_id": b.id, "kind": k, "ref_id": r} for k, r in rows])
    db.session.execute(insert(BenefitOption), [
        {"benefit_id": b.id, "name": o["name"], "description": o.get("description") or "", "stock": o.get("stock"),
         "claimed": 0, "position": i} for i, o in enumerate(options)])
    if announce and claim_closes_at > now:
        when = "现已开放领取" if claim_opens_at <= now else f"将于 {_local(claim_opens_at)} 开放领取"
        _tell(audiences_.copy_of(BenefitAudience, BenefitAudience.benefit_id, b.id), f"福利领取：{title}",
              f"“{title}”{when}，截止 {_local(claim_closes_at)}，请在小程序中选择领取。", PAGE.format(id=b.id))
    return b


def update_benefit(benefit_id: int, changes: dict) -> Benefit:
    """Title and description; claim_closes_at and redeem_until only later; an option's stock only raised;
    options added. Raises 404, 409 benefit_cancelled, 400 invalid_request."""
    b = get(benefit_id, lock=True)
    if b.status == BenefitStatus.cancelled:
        raise AppError("benefit_cancelled")
    bad: dict[str, str] = {}
    for key in ("claim_closes_at", "redeem_until"):
        if changes.get(key) is not None and changes[key] < getattr(b, key):
            bad[key] = "只能延后，不能提前"
    closes = changes.get("claim_closes_at") or b.claim_closes_at
    until = changes.get("redeem_until") or b.redeem_until
    if until < closes:
        bad["redeem_until"] = "核销截止时间不能早于领取截止时间"
    options = changes.get("options") or []
    current = {o.id: o for o in db.session.scalars(select(BenefitOption).where(BenefitOption.benefit_id == b.id))}
    names = {o.name for o in current.values()}
    new_rows = []
    for i, o in enumerate(options):
        if o.get("id") is not None:
            opt = current.get(o["id"])
            if opt is None:
                bad[f"options.{i}.id"] = "选项不存在"
            elif o.get("stock") is not None and (opt.stock is None or o["stock"] < opt.stock):
                bad[f"options.{i}.stock"] = "库存只能增加"
        else:
            if not o.get("name"):
                bad[f"options.{i}.name"] = "新增选项须填写名称"
            elif o["name"] in names:
                bad[f"options.{i}.name"] = "选项名称重复"
            else:
                names.add(o["name"])
                new_rows.append(o)
    if bad:
        raise invalid_request(bad)
    for key in ("title", "description", "claim_closes_at", "redeem_until"):
        if changes.get(key) is not None:
            setattr(b, key, changes[key])
    for o in options:
        if o.get("id") is not None:
            opt = current[o["id"]]
            if o.get("stock") is not None:
                opt.stock = o["stock"]
            if o.get("name"):
                opt.name = o["name"]
            if o.get("description") is not None:
                opt.description = o["description"]
    position = len(current)
    for o in new_rows:
        db.session.add(BenefitOption(benefit_id=b.id, name=o["name"], description=o.get("description") or "",
                                     stock=o.get("stock"), claimed=0, position=position))
        position += 1
    b.updated_at = utcnow()
    db.session.flush()
    return b


def cancel(benefit_id: int) -> Benefit:
    """Call the campaign off; members holding an unredeemed claim are told. Raises 404, 409 benefit_cancelled."""
    now = utcnow()
    done = db.session.execute(update(Benefit).where(Benefit.id == benefit_id, Benefit.status == BenefitStatus.published)
                              .values(status=BenefitStatus.cancelled, cancelled_at=now, updated_at=now)
                              .execution_options(synchronize_session=False)).rowcount
    b = get(benefit_id, lock=False)
    db.session.refresh(b)
    if done != 1:
        raise AppError("benefit_cancelled")
    holders = list(db.session.scalars(select(BenefitClaim.member_id).where(
        BenefitClaim.benefit_id == b.id, BenefitClaim.status == ClaimStatus.claimed)))
    if holders:
        _tell({"member_ids": holders}, f"福利活动取消：{b.title}",
              f"“{b.title}”已取消，您的领取码不再有效。如有疑问请联系工会。", CLAIM_PAGE)
    return b


# --- claiming -------------------------------------------------------------------------------------------

@dataclass
class ClaimResult:
    id: int
    benefit_id: int
    benefit_title: str
    option_id: int
    option_name: str
    claim_code: str
    status: str
    delivery: str
    claimed_at: datetime
    redeem_until: datetime
    redeemed_at: Optional[datetime] = None
    redeemed_via: Optional[str] = None
    delegate_name: Optional[str] = None


@lru_cache(maxsize=1)
def _claim_pg():
    """The whole claim in one PostgreSQL statement: the member (roster state and audience), the campaign,
    the option, any live claim, and, when everything allows it, the stock taken (conditional UPDATE) and the
    claim written. A second claim by the same member racing this one fails on the partial unique index, and
    its stock UPDATE is undone with the statement. Built once: building costs more than running it."""
    # Parameter names apart from column names: Core would add a parameter named like a column to the SET.
    bid = bindparam("p_benefit", type_=Integer)
    mid = bindparam("p_member", type_=Integer)
    oid = bindparam("p_option", type_=Integer)
    now = bindparam("p_now", type_=UTCDateTime())
    delivery = bindparam("p_delivery", type_=String)
    m = (select(Member.is_active, Member.token_version, _admits_member_row(bid).label("eligible"))
         .where(Member.id == mid).cte("m"))
    b = (select(Benefit.id, Benefit.title, Benefit.status, Benefit.claim_opens_at, Benefit.claim_closes_at,
                Benefit.redeem_until, Benefit.allow_workshop_delivery, Benefit.redeem_key)
         .where(Benefit.id == bid).cte("b"))
    o = (select(BenefitOption.id, BenefitOption.name, BenefitOption.stock, BenefitOption.claimed)
         .where(BenefitOption.id == oid, BenefitOption.benefit_id == bid).cte("o"))
    prior = (select(BenefitClaim.id).where(BenefitClaim.benefit_id == bid, BenefitClaim.member_id == mid,
                                           BenefitClaim.status != ClaimStatus.cancelled).limit(1).cte("prior"))
    allowed = and_(
        exists(select(m.c.eligible).where(m.c.is_active, m.c.token_version == bindparam("p_token_version"),
                                          m.c.eligible)),
        exists(select(b.c.id).where(b.c.status == BenefitStatus.published, b.c.claim_opens_at <= now,
                                    b.c.claim_closes_at > now,
                                    or_(delivery == ClaimDelivery.pickup.value, b.c.allow_workshop_delivery))),
        ~exists(select(prior.c.id)),
    )
    take = (update(BenefitOption)
            .where(BenefitOption.id == oid, BenefitOption.benefit_id == bid,
                   or_(BenefitOption.stock.is_(None), BenefitOption.claimed < BenefitOption.stock), allowed)
            .values(claimed=BenefitOption.claimed + 1).returning(BenefitOption.id).cte("take"))
    ins = (insert(BenefitClaim)
           .from_select(["benefit_id", "option_id", "member_id", "status", "delivery", "claimed_at", "created_at"],
                        select(bid, take.c.id, mid, literal(ClaimStatus.claimed.value), delivery, now, now))
           .returning(BenefitClaim.id, BenefitClaim.claimed_at).cte("ins"))
    one = select(literal(1).label("one")).subquery("one")
    return (select(m.c.is_active, m.c.token_version, m.c.eligible, b.c.title, b.c.status, b.c.claim_opens_at,
                   b.c.claim_closes_at, b.c.redeem_until, b.c.allow_workshop_delivery, b.c.redeem_key,
                   o.c.id.label("option_found"), o.c.name.label("option_name"), o.c.stock, o.c.claimed,
                   prior.c.id.label("prior_id"), ins.c.id.label("claim_id"), ins.c.claimed_at)
            .select_from(one).outerjoin(m, true()).outerjoin(b, true()).outerjoin(o, true())
            .outerjoin(prior, true()).outerjoin(ins, true()))


def _already_claimed(claim_id: int | None) -> AppError:
    return AppError("already_claimed", details={"claim_id": claim_id})


def _live_claim_id(benefit_id: int, member_id: int) -> Optional[int]:
    return db.session.scalar(select(BenefitClaim.id).where(
        BenefitClaim.benefit_id == benefit_id, BenefitClaim.member_id == member_id,
        BenefitClaim.status != ClaimStatus.cancelled))


def _closed(b) -> AppError:
    return AppError("claim_closed", "领取尚未开始" if utcnow() < b.claim_opens_at else "领取已截止",
                    details={"opens_at": to_local_iso(b.claim_opens_at), "closes_at": to_local_iso(b.claim_closes_at)})


def _refuse(row, now: datetime, delivery: str, member_id: int, benefit_id: int, option_id: int) -> AppError:
    """Why a claim was not written, from what the claim's read saw, in the contract's order."""
    if row.prior_id is not None:
        return _already_claimed(row.prior_id)
    if row.status == BenefitStatus.cancelled:
        return AppError("benefit_cancelled")
    if not row.eligible:
        return AppError("not_eligible", "您不在本次福利的发放范围内")
    if not row.claim_opens_at <= now < row.claim_closes_at:
        return _closed(row)
    if delivery == ClaimDelivery.workshop and not row.allow_workshop_delivery:
        return invalid_request({"delivery": "本次福利不提供送到车间"})
    if row.option_found is None:
        return invalid_request({"option_id": "选项不存在"})
    if row.stock is not None and row.claimed >= row.stock:
        return AppError("out_of_stock", details={"option_id": option_id})
    # Lost a race after the read: another device of this member, or the last unit.
    prior = _live_claim_id(benefit_id, member_id)
    return _already_claimed(prior) if prior else AppError("out_of_stock", details={"option_id": option_id})


def claim(member_id: int, benefit_id: int, option_id: int, delivery: str = "pickup") -> ClaimResult:
    """The member's claim of one option. Raises 401 (left the roster), 404 not_found, 409 already_claimed
    (details.claim_id), 409 benefit_cancelled, 403 not_eligible, 409 claim_closed, 400 invalid_request
    (unknown option, workshop delivery not offered), 409 out_of_stock."""
    now = utcnow()
    if db.engine.dialect.name == "postgresql":
        statement_per_transaction()  # the claim is one atomic statement: it commits on its own
        params = {"p_benefit": benefit_id, "p_member": member_id, "p_option": option_id, "p_now": now,
                  "p_delivery": str(delivery), "p_token_version": expected_token_version()}
        try:
            with savepoint():
                row = db.session.execute(_claim_pg(), params).one()
        except IntegrityError:
            # The same member's other device won the unique index; nothing of this claim was stored.
            member_confirmed(True, expected_token_version())
            raise _already_claimed(_live_claim_id(benefit_id, member_id)) from None
        member_confirmed(row.is_active, row.token_version)
        if row.status is None:
            raise not_found()
        if row.claim_id is None:
            raise _refuse(row, now, delivery, member_id, benefit_id, option_id)
        code = signed_codes.sign(row.redeem_key, f"b1.{benefit_id}.{row.claim_id}.{member_id}")
        return ClaimResult(row.claim_id, benefit_id, row.title, option_id, row.option_name, code,
                           ClaimStatus.claimed, delivery, row.claimed_at, row.redeem_until)
    return _claim_portable(member_id, benefit_id, option_id, delivery, now)


@dataclass
class _Seen:
    """What the portable claim read, in the shape of the PostgreSQL statement's row (for ``_refuse``)."""
    prior_id: Optional[int]
    status: str
    eligible: bool
    claim_opens_at: datetime
    claim_closes_at: datetime
    allow_workshop_delivery: bool
    option_found: Optional[int]
    stock: Optional[int]
    claimed: int


def _claim_portable(member_id: int, benefit_id: int, option_id: int, delivery: str, now: datetime,
                    member: Member | None = None) -> ClaimResult:
    """The same rules step by step (SQLite, whose writers are serialised; the demo, for a ``member`` given)."""
    member = member or load_member(member_id)
    b = db.session.get(Benefit, benefit_id)
    if b is None:
        raise not_found()
    opt = db.session.get(BenefitOption, option_id)
    if opt is not None and opt.benefit_id != b.id:
        opt = None

    seen = _Seen(_live_claim_id(b.id, member_id), b.status, is_eligible(member, b.id), b.claim_opens_at,
                b.claim_closes_at, b.allow_workshop_delivery, opt.id if opt else None,
                opt.stock if opt else None, opt.claimed if opt else 0)
    if (seen.prior_id is not None or b.status != BenefitStatus.published or not seen.eligible
            or not b.claim_opens_at <= now < b.claim_closes_at or opt is None
            or (delivery == ClaimDelivery.workshop and not b.allow_workshop_delivery)):
        raise _refuse(seen, now, delivery, member_id, b.id, option_id)
    taken = db.session.execute(
        update(BenefitOption).where(BenefitOption.id == opt.id,
                                    or_(BenefitOption.stock.is_(None), BenefitOption.claimed < BenefitOption.stock))
        .values(claimed=BenefitOption.claimed + 1).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise AppError("out_of_stock", details={"option_id": option_id})
    try:
        with savepoint():
            c = BenefitClaim(benefit_id=b.id, option_id=opt.id, member_id=member_id, status=ClaimStatus.claimed,
                             delivery=delivery, claimed_at=now, created_at=now)
            db.session.add(c)
            db.session.flush()
    except IntegrityError:
        raise _already_claimed(_live_claim_id(b.id, member_id)) from None
    return ClaimResult(c.id, b.id, b.title, opt.id, opt.name, claim_code(b, c.id, member_id), ClaimStatus.claimed,
                       delivery, now, b.redeem_until)


def cancel_claim(member_id: int, claim_id: int) -> BenefitClaim:
    """The member gives the claim back before the claim window closes; the unit returns to the stock.
    Raises 404 (not the member's), 409 claim_cancelled, already_redeemed, benefit_cancelled, claim_closed."""
    c = db.session.get(BenefitClaim, claim_id)
    if c is None or c.member_id != member_id:
        raise claim_not_found()
    b = get(c.benefit_id)
    if c.status == ClaimStatus.cancelled:
        raise AppError("claim_cancelled")
    if c.status == ClaimStatus.redeemed:
        raise AppError("already_redeemed", details={"redeemed_at": to_local_iso(c.redeemed_at)})
    if b.status == BenefitStatus.cancelled:
        raise AppError("benefit_cancelled")
    now = utcnow()
    if now >= b.claim_closes_at:
        raise AppError("claim_closed", "领取已截止，不能取消", details={"closes_at": to_local_iso(b.claim_closes_at)})
    done = db.session.execute(update(BenefitClaim).where(BenefitClaim.id == c.id,
                                                         BenefitClaim.status == ClaimStatus.claimed)
                              .values(status=ClaimStatus.cancelled, cancelled_at=now)
                              .execution_options(synchronize_session=False)).rowcount
    if done != 1:  # redeemed (or cancelled on another device) meanwhile
        db.session.refresh(c)
        raise (AppError("claim_cancelled") if c.status == ClaimStatus.cancelled else
               AppError("already_redeemed", details={"redeemed_at": to_local_iso(c.redeemed_at)}))
    db.session.execute(update(BenefitOption).where(BenefitOption.id == c.option_id, BenefitOption.claimed > 0)
                       .values(claimed=BenefitOption.claimed - 1).execution_options(synchronize_session=False))
    db.session.refresh(c)
    return c


# --- redemption -----------------------------------------------------------------------------------------

@dataclass
class RedeemResult:
    index: int
    status: str  # redeemed | already_redeemed | error
    claim_id: Optional[int] = None
    member_name: Optional[str] = None
    employee_no: Optional[str] = None
    department: Optional[str] = None
    option_name: Optional[str] = None
    redeemed_at: Optional[datetime] = None
    redeemed_via: Optional[str] = None
    error: Optional[AppError] = None


def _open_for_redemption(benefit_id: int) -> Benefit:
    b = get(benefit_id)
    if b.status == BenefitStatus.cancelled:
        raise AppError("benefit_cancelled")
    return b


def _claim_rows(benefit_id: int, claim_ids) -> dict:
    return {r.id: r for r in db.session.execute(
        select(BenefitClaim.id, BenefitClaim.member_id, BenefitClaim.status, BenefitClaim.delivery,
               BenefitClaim.redeemed_at, BenefitClaim.redeemed_via, BenefitOption.name.label("option_name"),
               Member.name.label("member_name"), Member.employee_no, Department.name.label("department"))
        .join(BenefitOption, BenefitOption.id == BenefitClaim.option_id)
        .join(Member, Member.id == BenefitClaim.member_id)
        .outerjoin(Department, Department.id == Member.department_id)
        .where(BenefitClaim.benefit_id == benefit_id, BenefitClaim.id.in_(list(claim_ids))))}


def _redeem(b: Benefit, staff_id: int, scans: list[tuple[datetime, int, int, Optional[int]]],
            results: dict[int, RedeemResult], via: str = RedeemedVia.staff,
            delegate_id: int | None = None) -> None:
    """Redeem scans (at, index, claim_id, member_id or None) of campaign ``b``, each on its own: one read of
    the claims (with names), one conditional UPDATE per chosen claim sent as a batch, and a read back only
    when another device redeemed some meanwhile. A claim scanned twice is redeemed at its earliest scan."""
    rows = _claim_rows(b.id, {s[2] for s in scans}) if scans else {}
    chosen: dict[int, tuple[int, datetime]] = {}
    for at, index, claim_id, member_id in sorted(scans):
        r = rows.get(claim_id)
        if r is None or (member_id is not None and r.member_id != member_id):
            results[index] = RedeemResult(index, "error", error=_invalid_token("unknown", "领取记录不存在"))
            continue
        res = RedeemResult(index, "already_redeemed", claim_id=r.id, member_name=r.member_name,
                           employee_no=r.employee_no, department=r.department, option_name=r.option_name,
                           redeemed_at=r.redeemed_at, redeemed_via=r.redeemed_via)
        results[index] = res
        if r.status == ClaimStatus.redeemed or claim_id in chosen:
            continue
        if r.status == ClaimStatus.cancelled:
            res.status, res.error = "error", AppError("claim_cancelled")
        elif at > b.redeem_until:
            res.status, res.error = "error", AppError("redeem_closed", "已超过核销截止时间",
                                                      details={"redeem_until": to_local_iso(b.redeem_until)})
        elif via == RedeemedVia.delegate and r.delivery != ClaimDelivery.workshop:
            res.status, res.error = "error", invalid_request({"claim_ids": "该领取未选择送到车间，不能代领"})
        else:
            chosen[claim_id] = (index, at)
    if not chosen:
        return
    # One statement for the whole batch, each claim with its own scan time; RETURNING names exactly the claims
    # this call redeemed (another device's sync, racing, takes the others and keeps its time).
    times = case({cid: literal(at, UTCDateTime()) for cid, (_, at) in chosen.items()}, value=BenefitClaim.id)
    mine = set(db.session.scalars(
        update(BenefitClaim).where(BenefitClaim.id.in_(list(chosen)), BenefitClaim.status == ClaimStatus.claimed)
        .values(status=ClaimStatus.redeemed, redeemed_at=times, redeemed_by=staff_id, redeemed_via=str(via),
                delegate_id=delegate_id)
        .returning(BenefitClaim.id).execution_options(synchronize_session=False)))
    won = {cid: (at, str(via), True) for cid, (_, at) in chosen.items() if cid in mine}
    if len(mine) < len(chosen):
        won.update({r.id: (r.redeemed_at, r.redeemed_via, False) for r in db.session.execute(
            select(BenefitClaim.id, BenefitClaim.redeemed_at, BenefitClaim.redeemed_via)
            .where(BenefitClaim.id.in_([c for c in chosen if c not in mine])))})
    for res in results.values():
        if res.claim_id in chosen and res.status != "error":
            res.redeemed_at, res.redeemed_via, mine = won[res.claim_id]
            res.status = "redeemed" if mine and chosen[res.claim_id][0] == res.index else "already_redeemed"


def _already_redeemed(res: RedeemResult) -> AppError:
    return AppError("already_redeemed", details={"redeemed_at": to_local_iso(res.redeemed_at) if res.redeemed_at
                                                 else None, "claim_id": res.claim_id,
                                                 "member_name": res.member_name})


@lru_cache(maxsize=1)
def _redeem_read():
    """The campaign and, joined, the claim a code names with its member and option: one read for a scan."""
    claims, options, members, departments = (BenefitClaim.__table__, BenefitOption.__table__, Member.__table__,
                                             Department.__table__)
    return (select(Benefit.status, Benefit.redeem_until, Benefit.redeem_key, claims.c.id.label("claim_id"),
                   claims.c.member_id, claims.c.status.label("claim_status"), claims.c.redeemed_at,
                   claims.c.redeemed_via, options.c.name.label("option_name"), members.c.name.label("member_name"),
                   members.c.employee_no, departments.c.name.label("department"))
            .select_from(Benefit.__table__)
            .outerjoin(claims, and_(claims.c.benefit_id == Benefit.id, claims.c.id == bindparam("p_claim")))
            .outerjoin(options, options.c.id == claims.c.option_id)
            .outerjoin(members, members.c.id == claims.c.member_id)
            .outerjoin(departments, departments.c.id == members.c.department_id)
            .where(Benefit.id == bindparam("p_benefit")))


@lru_cache(maxsize=1)
def _redeem_one():
    claims = BenefitClaim.__table__
    return (update(claims).where(claims.c.id == bindparam("p_claim"), claims.c.status == ClaimStatus.claimed.value)
            .values(status=ClaimStatus.redeemed.value, redeemed_at=bindparam("p_at", type_=UTCDateTime()),
                    redeemed_by=bindparam("p_staff"), redeemed_via=RedeemedVia.staff.value)
            .returning(claims.c.redeemed_at))


def _staff_columns() -> list:
    """The scanning staff member as the door's statement reads them (members.auth.member_confirmed): the
    route defers loading them, saving a round trip per scan."""
    staff = Member.__table__.alias("staff")
    one = staff.c.id == bindparam("p_staff")
    return [select(staff.c.is_active).where(one).scalar_subquery().label("staff_active"),
            select(staff.c.token_version).where(one).scalar_subquery().label("staff_version"),
            select(staff.c.roles).where(one).scalar_subquery().label("staff_roles")]


@lru_cache(maxsize=1)
def _redeem_sqlite():
    read = _redeem_read().subquery("r")
    one = select(literal(1).label("one")).subquery("one")
    return select(*read.c, *_staff_columns()).select_from(one).outerjoin(read, true())


@lru_cache(maxsize=1)
def _redeem_pg():
    """PostgreSQL: the read and the conditional UPDATE in one statement, committed on its own. The signature
    was checked before it with the campaign's key as this process knows it; the UPDATE requires that key to be
    the stored one and the scanner to be current staff, so nothing it may not do is ever committed."""
    read = _redeem_read().cte("r")
    claims = BenefitClaim.__table__
    staff = Member.__table__.alias("scanner")
    at = bindparam("p_at", type_=UTCDateTime())
    u = (update(claims)
         .where(claims.c.id == bindparam("p_claim"), claims.c.benefit_id == bindparam("p_benefit"),
                claims.c.member_id == bindparam("p_member"), claims.c.status == ClaimStatus.claimed.value,
                exists(select(read.c.status).where(read.c.status == BenefitStatus.published.value,
                                                   read.c.redeem_until >= at,
                                                   # the key the code was checked with is the campaign's own
                                                   read.c.redeem_key == bindparam("p_key"))),
                # The statement commits on its own: the scanning staff member is checked here, not after it.
                exists(select(staff.c.id).where(
                    staff.c.id == bindparam("p_staff"), staff.c.is_active.is_(True),
                    staff.c.token_version == bindparam("p_version"),
                    cast(staff.c.roles, JSONB).op("?|")(pg_array(sorted(expand_roles(["staff"])))))))
         .values(status=ClaimStatus.redeemed.value, redeemed_at=at, redeemed_by=bindparam("p_staff"),
                 redeemed_via=RedeemedVia.staff.value)
         .returning(claims.c.redeemed_at.label("done_at")).cte("u"))
    one = select(literal(1).label("one")).subquery("one")
    return (select(*read.c, u.c.done_at, *_staff_columns()).select_from(one).outerjoin(read, true())
            .outerjoin(u, true()))


# Each campaign's key as this process last read it (keys never change). The door's UPDATE requires the stored
# key to equal the one a code was checked with, so an entry gone stale (a restored database reusing an id)
# redeems nothing and is read again.
_KEYS: dict[int, bytes] = {}


def _checked_key(benefit_id: int, code: str) -> bytes:
    """The campaign's key, after checking the code's signature with it. Raises 404 (no such campaign) and
    400 invalid_token as read_code. Reads the key only when this process has none or the code fails it."""
    key = _KEYS.get(benefit_id)
    if key is None or not _signed_by(key, benefit_id, code):
        key = db.session.scalar(select(Benefit.redeem_key).where(Benefit.id == benefit_id))
        if key is None:
            raise not_found()
        if len(_KEYS) >= 10_000:
            _KEYS.clear()
        _KEYS[benefit_id] = key
    read_code(type("Keyed", (), {"id": benefit_id, "redeem_key": key}), code)
    return key


def _signed_by(key: bytes, benefit_id: int, code: str) -> bool:
    m = _CODE.fullmatch(code)
    return bool(m and m[2] == str(benefit_id) and signed_codes.verify(key, m[1], m[5]))


def _number(text: str | None) -> int:
    # A code's id as a bind value: anything past a 32-bit id names no row (and must not overflow the column).
    return int(text) if text and len(text) < 11 else 0


def redeem(staff_id: int, benefit_id: int, code: str, scanned_at: datetime | None = None) -> RedeemResult:
    """Staff redeem a scanned claim code (now, or at ``scanned_at`` for a scan made offline). Raises 404,
    409 benefit_cancelled, 400 invalid_token (details.reason), 400 invalid_request (scanned_at in the
    future), 409 already_redeemed (details.redeemed_at, the first time), claim_cancelled, redeem_closed.

    The door's hot path: one read (campaign, claim, member, option) and one conditional UPDATE, which
    decides between two devices scanning the same code at once; on PostgreSQL both in one statement."""
    at = signed_codes.scan_time(scanned_at, utcnow())
    m = _CODE.fullmatch(code)
    params = {"p_benefit": benefit_id, "p_claim": _number(m and m[3]), "p_member": _number(m and m[4]),
              "p_at": at, "p_staff": staff_id, "p_version": expected_token_version(), "p_key": b""}
    pg = db.engine.dialect.name == "postgresql"
    if pg:
        # Checked before the statement, so the statement may commit on its own (one round trip, as check-in).
        params["p_key"] = _checked_key(benefit_id, code)
        statement_per_transaction()
    row = db.session.execute(_redeem_pg() if pg else _redeem_sqlite(), params).one()
    # On SQLite a refusal here rolls the request back; on PostgreSQL the UPDATE required all of it.
    member_confirmed(row.staff_active, row.staff_version, row.staff_roles)
    if row.status is None:
        raise not_found()
    if row.status == BenefitStatus.cancelled:
        raise AppError("benefit_cancelled")
    if pg and row.redeem_key != params["p_key"]:  # this process knew another key under this id: nothing done
        _KEYS.pop(benefit_id, None)
        return redeem(staff_id, benefit_id, code, scanned_at)

    class Keyed:  # read_code needs the campaign's id and key only
        id, redeem_key = benefit_id, row.redeem_key

    _, member_id = read_code(Keyed, code)
    if row.claim_id is None or row.member_id != member_id:
        raise _invalid_token("unknown", "领取记录不存在")
    res = RedeemResult(0, "redeemed", claim_id=row.claim_id, member_name=row.member_name,
                       employee_no=row.employee_no, department=row.department, option_name=row.option_name,
                       redeemed_at=row.redeemed_at, redeemed_via=row.redeemed_via)
    done_at = row.done_at if pg else None
    if done_at is None:
        if row.claim_status == ClaimStatus.redeemed:
            raise _already_redeemed(res)
        if row.claim_status == ClaimStatus.cancelled:
            raise AppError("claim_cancelled")
        if at > row.redeem_until:
            raise AppError("redeem_closed", "已超过核销截止时间",
                           details={"redeem_until": to_local_iso(row.redeem_until)})
        if not pg:
            done = db.session.execute(_redeem_one(), params).first()
            done_at = done.redeemed_at if done else None
    if done_at is None:  # another door redeemed it (or the member cancelled) since the read
        again = db.session.execute(select(BenefitClaim.status, BenefitClaim.redeemed_at, BenefitClaim.redeemed_via)
                                   .where(BenefitClaim.id == row.claim_id)).one()
        if again.status == ClaimStatus.cancelled:
            raise AppError("claim_cancelled")
        res.redeemed_at, res.redeemed_via = again.redeemed_at, again.redeemed_via
        raise _already_redeemed(res)
    res.redeemed_at, res.redeemed_via = done_at, RedeemedVia.staff
    return res


def redeem_batch(staff_id: int, benefit_id: int, items: list[tuple[str, datetime]]) -> list[RedeemResult]:
    """Sync scans made offline: every code verified first, then the claims read and redeemed in bulk; each
    item succeeds or fails on its own. Raises (for the whole batch) 404, 409 benefit_cancelled."""
    b = _open_for_redemption(benefit_id)
    now = utcnow()
    results: dict[int, RedeemResult] = {}
    scans = []
    for index, (code, scanned_at) in enumerate(items):
        try:
            at = signed_codes.scan_time(scanned_at, now)
            claim_id, member_id = read_code(b, code)
        except AppError as e:
            results[index] = RedeemResult(index, "error", error=e)
            continue
        scans.append((at, index, claim_id, member_id))
    _redeem(b, staff_id, scans, results)
    return [results[i] for i in range(len(items))]


def deliver(staff_id: int, benefit_id: int, delegate_employee_no: str, claim_ids: list[int]
            ) -> tuple[list[RedeemResult], Member]:
    """A delegate (a member, e.g. the night shift's team leader) collects for several members whose claims
    asked for workshop delivery: each claim is redeemed on its own, recorded as ``delegate`` with the
    delegate. Raises 404, 409 benefit_cancelled, 400 invalid_request (no such active member)."""
    b = _open_for_redemption(benefit_id)
    delegate = db.session.scalar(select(Member).where(Member.employee_no == delegate_employee_no,
                                                      Member.is_active.is_(True)))
    if delegate is None:
        raise invalid_request({"delegate_employee_no": "工号不存在或会员已停用"})
    now = utcnow()
    results: dict[int, RedeemResult] = {}
    _redeem(b, staff_id, [(now, i, cid, None) for i, cid in enumerate(claim_ids)], results,
            via=RedeemedVia.delegate, delegate_id=delegate.id)
    return [results[i] for i in range(len(claim_ids))], delegate


# --- reading --------------------------------------------------------------------------------------------

def get_for(member: Member, benefit_id: int, staff: bool) -> Benefit:
    """Staff see every campaign; a member only one whose audience admits them (403 not_eligible)."""
    b = get(benefit_id)
    if not staff and not is_eligible(member, b.id):
        raise AppError("not_eligible", "您不在本次福利的发放范围内")
    return b


def listing(member: Member, *, everything: bool, phase_: str | None, page: int, per_page: int
            ) -> tuple[list[Benefit], int]:
    now = utcnow()
    conds = []
    if not everything:
        conds += [Benefit.status == BenefitStatus.published, audience_filter(member)]
    if phase_:
        conds.append(_phase_condition(phase_, now))
    order = case((_phase_condition(BenefitPhase.open, now), 0), (_phase_condition(BenefitPhase.redeeming, now), 1),
                 (_phase_condition(BenefitPhase.upcoming, now), 2), (_phase_condition(BenefitPhase.ended, now), 3),
                 else_=4)
    total = db.session.scalar(select(func.count()).select_from(Benefit).where(*conds))
    rows = db.session.scalars(select(Benefit).where(*conds).order_by(order, Benefit.claim_closes_at.desc(),
                                                                     Benefit.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


def options_of(ids: list[int]) -> dict[int, list[BenefitOption]]:
    out: dict[int, list[BenefitOption]] = {i: [] for i in ids}
    if ids:
        for o in db.session.scalars(select(BenefitOption).where(BenefitOption.benefit_id.in_(ids))
                                    .order_by(BenefitOption.position, BenefitOption.id)):
            out[o.benefit_id].append(o)
    return out


def counts_of(ids: list[int]) -> dict[int, dict[str, int]]:
    out = {i: {"claimed": 0, "redeemed": 0} for i in ids}
    if ids:
        for bid, status, n in db.session.execute(
                select(BenefitClaim.benefit_id, BenefitClaim.status, func.count())
                .where(BenefitClaim.benefit_id.in_(ids), BenefitClaim.status.in_(LIVE))
                .group_by(BenefitClaim.benefit_id, BenefitClaim.status)):
            out[bid]["claimed"] += n
            if status == ClaimStatus.redeemed:
                out[bid]["redeemed"] += n
    return out


def _claims_query():
    delegate = Member.__table__.alias("delegate")
    return (select(BenefitClaim, Benefit, BenefitOption.name.label("option_name"),
                   delegate.c.name.label("delegate_name"))
            .join(Benefit, Benefit.id == BenefitClaim.benefit_id)
            .join(BenefitOption, BenefitOption.id == BenefitClaim.option_id)
            .outerjoin(delegate, delegate.c.id == BenefitClaim.delegate_id))


def my_claims_in(member_id: int, benefit_ids: list[int]) -> dict[int, tuple]:
    """Each campaign's live claim (claimed or redeemed) of the member, as claims-query rows; a cancelled claim
    is no claim (the member may claim again)."""
    if not benefit_ids:
        return {}
    rows = db.session.execute(_claims_query().where(BenefitClaim.member_id == member_id,
                                                    BenefitClaim.benefit_id.in_(benefit_ids),
                                                    BenefitClaim.status.in_(LIVE))).all()
    return {r[0].benefit_id: r for r in rows}


def my_claims(member_id: int, status: str | None, page: int, per_page: int) -> tuple[list, int]:
    conds = [BenefitClaim.member_id == member_id]
    if status:
        conds.append(BenefitClaim.status == status)
    total = db.session.scalar(select(func.count()).select_from(BenefitClaim).where(*conds))
    rows = db.session.execute(_claims_query().where(*conds).order_by(BenefitClaim.claimed_at.desc(),
                                                                     BenefitClaim.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def own_claim(member_id: int, claim_id: int):
    row = db.session.execute(_claims_query().where(BenefitClaim.id == claim_id)).first()
    if row is None or row[0].member_id != member_id:
        raise claim_not_found()
    return row


def staff_claims(benefit_id: int, *, status=None, delivery=None, department=None, q=None, page=1, per_page=20,
                 everything=False):
    get(benefit_id)
    conds = [BenefitClaim.benefit_id == benefit_id]
    if status:
        conds.append(BenefitClaim.status == status)
    if delivery:
        conds.append(BenefitClaim.delivery == delivery)
    if department:
        conds.append(Department.name == department)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds.append(or_(Member.name.like(like, escape="\\"), Member.employee_no.like(like, escape="\\")))
    base = (_claims_query().add_columns(Member.name.label("member_name"), Member.employee_no,
                                        Department.name.label("department"))
            .join(Member, Member.id == BenefitClaim.member_id)
            .outerjoin(Department, Department.id == Member.department_id).where(*conds))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    q2 = base.order_by(BenefitClaim.claimed_at, BenefitClaim.id)
    if not everything:
        q2 = q2.limit(per_page).offset((page - 1) * per_page)
    return db.session.execute(q2).all(), total


# --- figures --------------------------------------------------------------------------------------------

def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def stats(benefit_id: int) -> dict:
    """Eligible (active members the audience admits, now), claimed (live claims), redeemed, the rates, and the
    same by option and by department; a fixed number of set-based queries. Raises 404."""
    b = get(benefit_id)
    eligible_by_dept = dict(db.session.execute(
        select(Department.name, func.count(Member.id)).select_from(Member)
        .outerjoin(Department, Department.id == Member.department_id)
        .where(Member.is_active.is_(True), _admits_member_row(b.id)).group_by(Department.name)).all())
    claims_by_dept: dict[Optional[str], list[int]] = {}
    for dept, status, n in db.session.execute(
            select(Department.name, BenefitClaim.status, func.count()).select_from(BenefitClaim)
            .join(Member, Member.id == BenefitClaim.member_id)
            .outerjoin(Department, Department.id == Member.department_id)
            .where(BenefitClaim.benefit_id == b.id, BenefitClaim.status.in_(LIVE))
            .group_by(Department.name, BenefitClaim.status)):
        c = claims_by_dept.setdefault(dept, [0, 0])
        c[0] += n
        if status == ClaimStatus.redeemed:
            c[1] += n
    redeemed_by_option = dict(db.session.execute(
        select(BenefitClaim.option_id, func.count()).where(BenefitClaim.benefit_id == b.id,
                                                           BenefitClaim.status == ClaimStatus.redeemed)
        .group_by(BenefitClaim.option_id)).all())
    options = options_of([b.id])[b.id]
    eligible = sum(eligible_by_dept.values())
    claimed = sum(c[0] for c in claims_by_dept.values())
    redeemed = sum(c[1] for c in claims_by_dept.values())
    depts = sorted(set(eligible_by_dept) | set(claims_by_dept), key=lambda d: (d is None, d or ""))
    return {
        "eligible": eligible, "claimed": claimed, "redeemed": redeemed,
        "claim_rate": _rate(claimed, eligible), "redeem_rate": _rate(redeemed, claimed),
        "by_option": [{"option_id": o.id, "name": o.name, "stock": o.stock, "claimed": o.claimed,
                       "redeemed": redeemed_by_option.get(o.id, 0)} for o in options],
        "by_department": [{"department": d, "eligible": eligible_by_dept.get(d, 0),
                           "claimed": claims_by_dept.get(d, [0, 0])[0], "redeemed": claims_by_dept.get(d, [0, 0])[1]}
                          for d in depts],
    }


def claim_rates(start: datetime, end: datetime) -> dict:
    """For the report: campaigns (not cancelled) whose claim window opened in [start, end), each with eligible,
    claimed and redeemed, and the totals with the claim rate. Three set-based queries whatever the count."""
    ids = list(db.session.scalars(select(Benefit.id).where(
        Benefit.status == BenefitStatus.published, Benefit.claim_opens_at >= start, Benefit.claim_opens_at < end)
        .order_by(Benefit.claim_opens_at, Benefit.id)))
    if not ids:
        return {"campaigns": [], "eligible": 0, "claimed": 0, "redeemed": 0, "claim_rate": None, "redeem_rate": None}
    eligible = dict(db.session.execute(
        select(Benefit.id, func.count(Member.id)).select_from(Benefit)
        .join(Member, and_(Member.is_active.is_(True), _admits_member_row(Benefit.id)))
        .where(Benefit.id.in_(ids)).group_by(Benefit.id)).all())
    counts = counts_of(ids)
    titles = dict(db.session.execute(select(Benefit.id, Benefit.title).where(Benefit.id.in_(ids))).all())
    campaigns = [{"benefit_id": i, "title": titles[i], "eligible": eligible.get(i, 0), **counts[i],
                  "claim_rate": _rate(counts[i]["claimed"], eligible.get(i, 0))} for i in ids]
    eligible_, claimed, redeemed = (sum(c[k] for c in campaigns) for k in ("eligible", "claimed", "redeemed"))
    return {"campaigns": campaigns, "eligible": eligible_, "claimed": claimed, "redeemed": redeemed,
            "claim_rate": _rate(claimed, eligible_), "redeem_rate": _rate(redeemed, claimed)}
