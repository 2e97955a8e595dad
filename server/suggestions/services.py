"""Suggestion box rules. Nothing here takes, stores or logs who the submitter is beyond the daily counter."""
from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import AppError
from ..extensions import db
from ..timeutil import SHANGHAI, utcnow
from . import receipts
from .models import CATEGORIES, Suggestion, SuggestionDailyCount, SuggestionMessage

OTHER_LABEL = "其他/少于5条"
MIN_GROUP = 5


def not_found() -> AppError:
    return AppError("not_found", "未找到该建议，请核对回执码", 404)


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


# --- daily limit ------------------------------------------------------------------------------


def _count_tag(member_id: int, day: date) -> str:
    key = receipts.derived_key("suggestions/daily-count")
    return hmac.new(key, f"{member_id}:{day.isoformat()}".encode(), hashlib.sha256).hexdigest()


def take_daily_quota(member_id: int) -> None:
    """Count one suggestion for the member today, or refuse with 429 over the limit."""
    day = today()
    limit = current_app.config["SUGGESTIONS_PER_DAY"]
    # Yesterday's counters are no longer needed for the limit, so they are not kept.
    db.session.execute(delete(SuggestionDailyCount).where(SuggestionDailyCount.day < day))
    tag = _count_tag(member_id, day)
    for _ in range(2):
        taken = db.session.execute(
            update(SuggestionDailyCount)
            .where(SuggestionDailyCount.tag == tag, SuggestionDailyCount.count < limit)
            .values(count=SuggestionDailyCount.count + 1)
        ).rowcount
        if taken:
            return
        if limit < 1 or db.session.scalar(select(SuggestionDailyCount.tag).where(SuggestionDailyCount.tag == tag)):
            break
        try:
            # A savepoint, so a concurrent first submission is retried above instead of ending in a
            # database error whose log line would carry the tag.
            with db.session.begin_nested():
                db.session.execute(insert(SuggestionDailyCount).values(tag=tag, day=day, count=1))
            return
        except IntegrityError:
            continue
    raise AppError("rate_limited", f"每人每天最多提交 {limit} 条建议，请明天再来", 429)


# --- submitter side ---------------------------------------------------------------------------


def submit(member_id: int, category: str, title: str | None, content: str) -> tuple[Suggestion, str]:
    take_daily_quota(member_id)
    receipt = receipts.new_receipt()
    code = receipts.normalise(receipt)
    suggestion = Suggestion(
        category=category, title=title, content=content, submitted_on=today(),
        lookup_tag=receipts.lookup_tag(code), receipt_hash=receipts.hash_receipt(code),
    )
    db.session.add(suggestion)
    db.session.flush()
    return suggestion, receipt


def by_receipt(raw: str | None) -> Suggestion:
    code = receipts.normalise(raw or "")
    suggestion = None
    if code is not None:
        suggestion = db.session.scalar(select(Suggestion).where(Suggestion.lookup_tag.in_(receipts.lookup_tags(code))))
    if not receipts.verify(code, suggestion.receipt_hash if suggestion else None):
        raise not_found()
    return suggestion


def get(suggestion_id: str) -> Suggestion:
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise AppError("not_found", "建议不存在", 404)
    return suggestion


def thread(suggestion_ids: list[str]) -> dict[str, list[SuggestionMessage]]:
    out: dict[str, list[SuggestionMessage]] = {i: [] for i in suggestion_ids}
    if suggestion_ids:
        rows = db.session.scalars(
            select(SuggestionMessage).where(SuggestionMessage.suggestion_id.in_(suggestion_ids))
            .order_by(SuggestionMessage.suggestion_id, SuggestionMessage.seq)
        )
        for m in rows:
            out[m.suggestion_id].append(m)
    return out


def add_message(suggestion: Suggestion, author: str, body: str) -> SuggestionMessage:
    if suggestion.status == "closed":
        raise AppError("suggestion_closed", "该建议已关闭，不能再回复", 409)
    seq = db.session.scalar(
        select(func.coalesce(func.max(SuggestionMessage.seq), 0)).where(SuggestionMessage.suggestion_id == suggestion.id)
    )
    # The submitter's reply carries only its day; staff replies carry their time.
    created = _start_of(today()) if author == "submitter" else utcnow()
    msg = SuggestionMessage(suggestion_id=suggestion.id, seq=seq + 1, author=author, body=body, created_at=created)
    db.session.add(msg)
    if author == "staff" and suggestion.status == "new":
        suggestion.status = "in_progress"
    db.session.flush()
    return msg


# --- staff side -------------------------------------------------------------------------------


def inbox(status: str | None, category: str | None, page: int, per_page: int) -> tuple[list[Suggestion], int]:
    q = select(Suggestion)
    if status:
        q = q.where(Suggestion.status == status)
    if category:
        q = q.where(Suggestion.category == category)
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    # Random ids make the order within a day arbitrary, as intended.
    rows = db.session.scalars(
        q.order_by(Suggestion.submitted_on.desc(), Suggestion.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def update_suggestion(suggestion_id: str, status: str | None, public: bool | None) -> Suggestion:
    suggestion = get(suggestion_id)
    if status is not None:
        suggestion.status = status
    if public is not None:
        if public and not any(m.author == "staff" for m in thread([suggestion.id])[suggestion.id]):
            raise AppError("no_staff_reply", "请先答复该意见，再公开到意见公示栏", 409)
        suggestion.is_public = public
    db.session.flush()
    return suggestion


def public_board(page: int, per_page: int) -> tuple[list[Suggestion], int]:
    q = select(Suggestion).where(Suggestion.is_public.is_(True))
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    rows = db.session.scalars(
        q.order_by(Suggestion.submitted_on.desc(), Suggestion.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def _suppress(counts: Counter) -> tuple[list[tuple[str, int]], int | None]:
    """Groups under 5 go into one merged group; if that is still under 5, the smallest shown group
    joins it, so no shown number is below 5 and no hidden one can be worked out by subtraction."""
    shown = sorted(((k, n) for k, n in counts.items() if n >= MIN_GROUP), key=lambda kv: (-kv[1], kv[0]))
    merged = sum(n for n in counts.values() if n < MIN_GROUP)
    while 0 < merged < MIN_GROUP and shown:
        merged += shown.pop()[1]
    if 0 < merged < MIN_GROUP:
        return [], None
    return shown, merged or None


def stats() -> dict:
    rows = db.session.execute(select(Suggestion.category, Suggestion.submitted_on)).all()
    total = len(rows)
    by_cat, other_cat = _suppress(Counter(c for c, _ in rows))
    by_month, other_month = _suppress(Counter(d.strftime("%Y-%m") for _, d in rows))
    return {
        "total": total if total >= MIN_GROUP else None,
        "by_category": [{"key": c, "label": CATEGORIES[c], "count": n} for c, n in by_cat]
        + ([{"key": "merged", "label": OTHER_LABEL, "count": other_cat}] if other_cat else []),
        "by_month": [{"key": m, "label": m, "count": n} for m, n in sorted(by_month)]
        + ([{"key": "merged", "label": OTHER_LABEL, "count": other_month}] if other_month else []),
    }
