"""Procurement rules. Services never commit. Every change is written to the audit trail in the same
transaction (who, before, after). The decision and a confirmation are conditional UPDATEs, so two admins
deciding at once, or a representative confirming from two devices, change the row once (409 for the other)."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import exists, func, select, update

from ..audit_trail import services as trail
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise
from ..core.timeutil import SHANGHAI, utcnow
from ..fund.models import FundCategory, FundKind, FundMonth
from ..members.models import Member
from ..uploads.attach import attach, register_reader
from ..uploads.models import Upload
from .models import Procurement, ProcurementQuote, ProcurementRepresentative, ProcurementStatus

log = logging.getLogger(__name__)
UPLOAD_KIND = "procurement_quote"
MAX_ATTACHMENTS = 6
MIN_QUOTES_OVER = 3
MIN_REPRESENTATIVES_OVER = 2
PAGE = "pages/procurements/detail?id={id}"
FIELDS = ["title", "description", "category", "amount_fen", "status", "chosen_quote_id", "reason", "decided_by",
          "decided_at", "month"]
QUOTE_FIELDS = ["procurement_id", "supplier", "amount_fen", "note"]


def not_found() -> AppError:
    return AppError("not_found", "比价记录不存在")


def sees_all(member) -> bool:
    """Staff and the treasurer see every purchase, open or decided, published or not."""
    return member.is_staff or member.has_any_role(["treasurer"])


def threshold() -> int:
    return current_app.config["PROCUREMENT_QUOTES_THRESHOLD_FEN"]


def over_threshold(p: Procurement, quote_amount: int | None = None) -> bool:
    """At or over the threshold by the estimate or by the chosen quote, whichever is larger (a low estimate
    does not spare a purchase the comparison its price calls for)."""
    return max(p.amount_fen, quote_amount or 0) >= threshold()


def requirements(p: Procurement) -> tuple[int, int]:
    """(quotes, representatives) the decision needs, by the estimate."""
    return (MIN_QUOTES_OVER, MIN_REPRESENTATIVES_OVER) if over_threshold(p) else (1, 0)


def published_months(months) -> set[str]:
    months = {m for m in months if m}
    if not months:
        return set()
    return set(db.session.scalars(select(FundMonth.month).where(FundMonth.month.in_(months))))


def is_representative(procurement_id: int, member_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(ProcurementRepresentative.procurement_id == procurement_id,
                                                        ProcurementRepresentative.member_id == member_id))))


def _published(p: Procurement) -> bool:
    return p.status == ProcurementStatus.decided and bool(published_months([p.month]))


def may_read(member, p: Procurement) -> bool:
    return sees_all(member) or is_representative(p.id, member.id) or _published(p)


def _may_read_attachment(member, quote_id: int) -> bool:
    q = db.session.get(ProcurementQuote, quote_id)
    return q is not None and may_read(member, db.session.get(Procurement, q.procurement_id))


register_reader(UPLOAD_KIND, _may_read_attachment)


def get(procurement_id: int, *, lock: bool = False) -> Procurement:
    return get_or_raise(Procurement, procurement_id, not_found, lock=lock)


def get_for(member, procurement_id: int) -> Procurement:
    """The purchase if the member may read it, else 404 (not 403: an unpublished purchase is not announced)."""
    p = get(procurement_id)
    if not may_read(member, p):
        raise not_found()
    return p


def _tell(member_ids, title: str, body: str, page: str) -> None:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    if member_ids and notices.tell({"member_ids": sorted(set(member_ids))}, title=title, body=body, page=page,
                                   source=NoticeSource.fund) is None:
        log.info("procurement notice %r: nobody to tell", title)


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


# --- create, quotes ----------------------------------------------------------------------------------

def create(actor_id: int, *, title: str, description: str, category: str, amount_fen: int,
           representatives: list[int], notify: bool = True) -> Procurement:
    """A purchase to compare; the named representatives are told. 400 for unknown or inactive members."""
    reps = list(dict.fromkeys(representatives))
    if reps:
        found = set(db.session.scalars(select(Member.id).where(Member.id.in_(reps), Member.is_active.is_(True))))
        missing = [m for m in reps if m not in found]
        if missing:
            raise invalid_request({"representatives": f"会员不存在或已停用：{', '.join(map(str, missing))}"})
    if not db.session.scalar(select(FundCategory.code).where(
            FundCategory.code == category, FundCategory.active.is_(True), FundCategory.kind == FundKind.expense)):
        raise invalid_request({"category": "请选择经费科目中在用的支出科目"})
    p = Procurement(title=title, description=description, category=category, amount_fen=amount_fen,
                    status=ProcurementStatus.open, created_by=actor_id, created_at=utcnow())
    db.session.add(p)
    db.session.flush()
    if reps:
        db.session.add_all([ProcurementRepresentative(procurement_id=p.id, member_id=m) for m in reps])
        db.session.flush()
    trail.record("procurement", p.id, "create", actor_id=actor_id,
                 after={**trail.snapshot(p, FIELDS), "representatives": reps})
    if notify and reps:
        _tell(reps, f"请参与比价：{title}",
              f"您被指定为职工代表，参与“{title}”（预算 {_yuan(amount_fen)} 元）的比价。"
              "比价完成后请在小程序中确认参与。",
              PAGE.format(id=p.id))
    return p


def _must_be_open(p: Procurement) -> None:
    if p.status != ProcurementStatus.open:
        raise AppError("procurement_decided")


def add_quote(actor_id: int, procurement_id: int, *, supplier: str, amount_fen: int, note: str,
              attachments: list[str]) -> ProcurementQuote:
    p = get(procurement_id, lock=True)
    _must_be_open(p)
    q = ProcurementQuote(procurement_id=p.id, supplier=supplier, amount_fen=amount_fen, note=note,
                         created_by=actor_id, created_at=utcnow())
    db.session.add(q)
    db.session.flush()
    ids = attach(attachments, owner_id=actor_id, kind=UPLOAD_KIND, attached_id=q.id, limit=MAX_ATTACHMENTS)
    trail.record("procurement_quote", q.id, "create", actor_id=actor_id,
                 after={**trail.snapshot(q, QUOTE_FIELDS), "attachments": ids})
    return q


# --- confirmation and decision -----------------------------------------------------------------------

def confirm(member_id: int, procurement_id: int) -> Procurement:
    """A named representative confirms once that they took part (403 for anyone not named, 409 the second
    time, also from two devices at once: the UPDATE matches only an unconfirmed row)."""
    p = get(procurement_id)
    if not is_representative(p.id, member_id):
        raise AppError("not_a_representative")
    _must_be_open(p)
    now = utcnow()
    done = db.session.execute(
        update(ProcurementRepresentative)
        .where(ProcurementRepresentative.procurement_id == p.id, ProcurementRepresentative.member_id == member_id,
               ProcurementRepresentative.confirmed_at.is_(None))
        .values(confirmed_at=now).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AppError("already_confirmed")
    trail.record("procurement_confirmation", f"{p.id}:{member_id}", "confirm", actor_id=member_id,
                 before={"confirmed_at": None}, after={"confirmed_at": now})
    return p


def decide(actor_id: int, procurement_id: int, quote_id: int, reason: str) -> Procurement:
    """The choice and its reason, once. At or over the threshold: at least three quotes, at least two named
    representatives, all of whom have confirmed."""
    p = get(procurement_id)
    _must_be_open(p)
    quote = db.session.get(ProcurementQuote, quote_id)
    if quote is None or quote.procurement_id != p.id:
        raise invalid_request({"quote_id": "该报价不属于此比价"})
    quotes = db.session.scalar(select(func.count()).select_from(ProcurementQuote)
                               .where(ProcurementQuote.procurement_id == p.id))
    if over_threshold(p, quote.amount_fen):
        limit = _yuan(threshold())
        if quotes < MIN_QUOTES_OVER:
            raise AppError("not_enough_quotes", f"金额达到 {limit} 元须至少 {MIN_QUOTES_OVER} 家报价，现有 {quotes} 家",
                           details={"required": MIN_QUOTES_OVER, "quotes": quotes})
        reps = db.session.execute(
            select(ProcurementRepresentative.member_id, ProcurementRepresentative.confirmed_at, Member.name)
            .join(Member, Member.id == ProcurementRepresentative.member_id)
            .where(ProcurementRepresentative.procurement_id == p.id)).all()
        if len(reps) < MIN_REPRESENTATIVES_OVER:
            raise AppError("not_enough_representatives",
                           f"金额达到 {limit} 元须至少 {MIN_REPRESENTATIVES_OVER} 名职工代表参与，现有 {len(reps)} 名",
                           details={"required": MIN_REPRESENTATIVES_OVER, "representatives": len(reps)})
        waiting = sorted(r.name for r in reps if r.confirmed_at is None)
        if waiting:
            raise AppError("representatives_unconfirmed", f"以下职工代表尚未确认参与：{'、'.join(waiting)}",
                           details={"unconfirmed": waiting})
    elif quotes < 1:  # cannot happen with a valid quote id; kept for clarity of the rule
        raise AppError("not_enough_quotes", details={"required": 1, "quotes": 0})
    before = trail.snapshot(p, FIELDS)
    now = utcnow()
    done = db.session.execute(
        update(Procurement).where(Procurement.id == p.id, Procurement.status == ProcurementStatus.open)
        .values(status=ProcurementStatus.decided, chosen_quote_id=quote.id, reason=reason, decided_by=actor_id,
                decided_at=now, month=now.astimezone(SHANGHAI).strftime("%Y-%m"))
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AppError("procurement_decided")
    db.session.refresh(p)
    trail.record("procurement", p.id, "decide", actor_id=actor_id, before=before, after=trail.snapshot(p, FIELDS))
    return p


# --- reading -----------------------------------------------------------------------------------------

def listing(viewer, *, month: str | None, status: str | None, mine: bool, page: int, per_page: int):
    """Purchases the viewer may list: their own as a representative (``mine``); staff and the treasurer every
    one; any other member the decided ones of published months. Newest first."""
    q = select(Procurement)
    if mine:
        q = q.where(Procurement.id.in_(select(ProcurementRepresentative.procurement_id)
                                       .where(ProcurementRepresentative.member_id == viewer.id)))
    elif not sees_all(viewer):
        q = q.where(Procurement.status == ProcurementStatus.decided,
                    Procurement.month.in_(select(FundMonth.month)))
    if month:
        q = q.where(Procurement.month == month)
    if status:
        q = q.where(Procurement.status == status)
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    order = [Procurement.decided_at.desc(), Procurement.id.desc()] if month else [Procurement.id.desc()]
    rows = db.session.scalars(q.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def representatives_of(ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {i: [] for i in ids}
    if ids:
        for r in db.session.execute(
                select(ProcurementRepresentative.procurement_id, ProcurementRepresentative.member_id,
                       ProcurementRepresentative.confirmed_at, Member.name)
                .join(Member, Member.id == ProcurementRepresentative.member_id)
                .where(ProcurementRepresentative.procurement_id.in_(ids))
                .order_by(ProcurementRepresentative.procurement_id, Member.name, Member.id)):
            out[r.procurement_id].append(r)
    return out


def quotes_of(ids: list[int]) -> dict[int, list[ProcurementQuote]]:
    out: dict[int, list[ProcurementQuote]] = {i: [] for i in ids}
    if ids:
        for q in db.session.scalars(select(ProcurementQuote).where(ProcurementQuote.procurement_id.in_(ids))
                                    .order_by(ProcurementQuote.amount_fen, ProcurementQuote.id)):
            out[q.procurement_id].append(q)
    return out


def attachments_of(quote_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if quote_ids:
        for aid, uid in db.session.execute(select(Upload.attached_id, Upload.id)
                                           .where(Upload.attached_kind == UPLOAD_KIND,
                                                  Upload.attached_id.in_(quote_ids))
                                           .order_by(Upload.attached_id, Upload.position)):
            out.setdefault(aid, []).append(uid)
    return out


def names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
