"""Rows → output models; a page in a fixed number of statements (representatives, quotes, attachments,
published months, deciders)."""
from __future__ import annotations

from . import services
from .models import Procurement
from .schemas import ProcurementOut, ProcurementPerson, ProcurementQuoteOut, ProcurementRepresentativeOut


def procurements_out(rows: list[Procurement], viewer_id: int) -> list[ProcurementOut]:
    ids = [p.id for p in rows]
    reps = services.representatives_of(ids)
    quotes = services.quotes_of(ids)
    files = services.attachments_of([q.id for qs in quotes.values() for q in qs])
    published = services.published_months(p.month for p in rows)
    deciders = services.names(p.decided_by for p in rows)
    out = []
    for p in rows:
        need_quotes, need_reps = services.requirements(p)
        mine = next((r for r in reps[p.id] if r.member_id == viewer_id), None)
        out.append(ProcurementOut(
            id=p.id, title=p.title, description=p.description, category=p.category, amount_fen=p.amount_fen,
            status=p.status, quotes_required=need_quotes, representatives_required=need_reps,
            representatives=[ProcurementRepresentativeOut(id=r.member_id, name=r.name, confirmed_at=r.confirmed_at)
                             for r in reps[p.id]],
            quotes=[ProcurementQuoteOut(id=q.id, supplier=q.supplier, amount_fen=q.amount_fen, note=q.note,
                                        attachments=files.get(q.id, []), chosen=q.id == p.chosen_quote_id,
                                        created_at=q.created_at) for q in quotes[p.id]],
            chosen_quote_id=p.chosen_quote_id, reason=p.reason, decided_at=p.decided_at,
            decided_by=ProcurementPerson(id=p.decided_by, name=deciders.get(p.decided_by, "")) if p.decided_by
            else None,
            month=p.month, published=p.month in published, i_represent=mine is not None,
            i_confirmed=bool(mine and mine.confirmed_at), created_at=p.created_at))
    return out


def procurement_out(p: Procurement, viewer_id: int) -> ProcurementOut:
    return procurements_out([p], viewer_id)[0]
