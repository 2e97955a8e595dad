"""The report as one dict (docs/reports.md): every area's figures for the period and the previous one, the
period's tables, and the improvement items this report checks. The console, the PDF and the XLSX render this
dict; none of them computes a figure."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..core.extensions import db
from ..core.timeutil import to_local_iso, utcnow
from . import areas
from .figures import FIGURES, MIN_GROUP, SECTIONS, cell_figure
from .periods import Period


def _change(unit: str, value, previous):
    if value is None or previous is None:
        return None
    return round(value - previous, 4 if unit == "percent" else 2)


def values_of(period: Period, now: datetime, detail: bool) -> tuple[dict, dict[str, list]]:
    values, tables = {}, {}
    for key, compute in areas.AREAS.items():
        v, t = compute(period, detail, now)
        values.update(v)
        tables[key] = t
    return values, tables


def build_report(period: Period, now: datetime | None = None) -> dict:
    now = now or utcnow()
    current, tables = values_of(period, now, detail=True)
    earlier, _ = values_of(period.previous(), now, detail=False)
    figures = [{"key": f.key, "section": f.section, "label": f.label, "unit": f.unit, "better": f.better,
                "headline": f.headline, "value": current.get(f.key), "previous": earlier.get(f.key),
                "change": _change(f.unit, current.get(f.key), earlier.get(f.key)), "definition": f.definition}
               for f in FIGURES]
    sections = [{"key": key, "title": title, "figures": [f.key for f in FIGURES if f.section == key],
                 "tables": tables.get(key, []), "note": None} for key, title in SECTIONS]
    return {"period": period.out(now), "previous": period.previous().out(now), "generated_at": to_local_iso(now),
            "min_group": MIN_GROUP, "figures": figures, "sections": sections,
            "improvements": checks(period, {f["key"]: f["value"] for f in figures}, tables, now)}


def met(better: str | None, value, target) -> bool | None:
    if value is None or target is None:
        return None
    return value <= target if better == "lower" else value >= target


def checks(period: Period, values: dict, tables: dict[str, list], now: datetime) -> list[dict]:
    """Improvement items naming a figure, opened before the period ended and due in it or later: those due in
    the period, once their due date has passed, get the verdict (target met or not by the period's value);
    those due later, or later today, are in progress."""
    from ..improvements.models import Improvement, ImprovementStatus
    from ..members.models import Member

    _s, e = period.bounds()
    rows = db.session.execute(
        select(Improvement, Member.name).join(Member, Member.id == Improvement.owner_id)
        .where(Improvement.figure.is_not(None), Improvement.status != ImprovementStatus.cancelled,
               Improvement.created_at < e, Improvement.due_date >= period.start)
        .order_by(Improvement.due_date, Improvement.id)).all()
    cells = {t["key"]: {r["key"]: r for r in t["rows"]} for ts in tables.values() for t in ts}
    out = []
    for item, owner in rows:
        figure, cell = cell_figure(item.figure)
        group = value = None
        if cell:
            row = cells.get(cell[0], {}).get(cell[1])
            group = row["label"] if row else None
            value = row.get(cell[2]) if row else None
        elif figure:
            value = values.get(figure.key)
        due = period.contains(item.due_date) and item.due_at <= now
        ok = met(figure.better if figure else None, value, item.target) if due else None
        verdict = "进行中" if not due else "无法判断" if ok is None else "已达标" if ok else "未达标"
        out.append({"id": item.id, "title": item.title, "figure": item.figure,
                    "figure_label": figure.label if figure else item.figure, "group": group,
                    "unit": figure.unit if figure else None, "better": figure.better if figure else None,
                    "target": item.target, "value": value, "met": ok, "verdict": verdict,
                    "due_date": item.due_date.isoformat(), "status": item.status,
                    "owner": {"id": item.owner_id, "name": owner}})
    return out


def figure_label(ref: str) -> str | None:
    figure, _cell = cell_figure(ref)
    return figure.label if figure else None
