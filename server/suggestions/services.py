"""Suggestion box rules. Nothing here takes, stores or logs who the submitter is.

What a submitter writes is not written to ``suggestions`` or ``suggestion_messages`` in their request:
it is held sealed (``HeldWrite``) and filed later by the scheduler (``file_held``) in one shuffled batch
with others, so the filed rows' order says nothing about who wrote them (docs/anonymity.md). The
member counts only towards the daily limit, in the rate limiter's expiring counters, never in the
database.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import delete, func, insert, select, text

from ..core import ratelimit
from ..core.errors import AppError
from ..core.extensions import db
from ..core.timeutil import SHANGHAI, utcnow
from . import receipts
from .checks import receipt_check_slot
from .models import HeldWrite, Suggestion, SuggestionCategory, SuggestionMessage, SuggestionStatus, random_id

log = logging.getLogger(__name__)

OTHER_LABEL = "其他/少于5条"
MIN_GROUP = 5


def not_found() -> AppError:
    return AppError("not_found", "未找到该建议，请核对回执码")


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


# --- daily limit ------------------------------------------------------------------------------


def _count_tag(member_id: int, day: date) -> str:
    key = receipts.derived_key("suggestions/daily-count")
    return hmac.new(key, f"{member_id}:{day.isoformat()}".encode(), hashlib.sha256).hexdigest()


def take_daily_quota(member_id: int) -> None:
    """Count one suggestion for the member today (Asia/Shanghai), or refuse with 429 rate_limited.

    The count lives in the rate limiter's expiring counters (Redis when REDIS_URL is set, else this
    process), under a keyed hash of (member, day), and never in the database beside the suggestion."""
    limit = current_app.config["SUGGESTIONS_PER_DAY"]
    day = today()
    message = f"每人每天最多提交 {limit} 条建议，请明天再来"
    retry = max(1, int((_start_of(day + timedelta(days=1)) - utcnow()).total_seconds()))
    if limit < 1:
        raise AppError("rate_limited", message, details={"retry_after": retry})
    try:
        # The tag changes at midnight, so a 24-hour window on it counts one calendar day.
        ratelimit.hit(f"{limit}/day", "suggestions-per-day", _count_tag(member_id, day))
    except AppError as e:
        if e.code != "rate_limited":
            raise
        raise AppError("rate_limited", message, details={"retry_after": retry}) from None


# --- held writes ------------------------------------------------------------------------------


def _held_tag(code: str, secret: str | None = None) -> str:
    # Its own key purpose: the tag of a held row matches nothing stored with the filed suggestion.
    key = receipts.derived_key("suggestions/receipt-held", secret)
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _held_tags(code: str) -> list[str]:
    # Under every receipt key, current first: rows held before a key rotation are still found.
    return [_held_tag(code, secret) for secret in receipts.receipt_keys()]


def _aead(secret: str | None = None) -> AESGCM:
    return AESGCM(receipts.derived_key("suggestions/held-writes", secret))


def _hold(code: str, payload: dict) -> None:
    """Keep one accepted write, sealed, until file_held files it; due at a random moment within the
    maximum delay, so even a write that never finds company does not go out at a predictable time."""
    now = utcnow()
    most = current_app.config["SUGGESTION_MAX_DELAY_SECONDS"]
    due = now + timedelta(seconds=secrets.SystemRandom().uniform(most / 2, most))
    payload = {**payload, "day": today().isoformat(), "accepted_at": now.isoformat(), "due_at": due.isoformat()}
    row_id = random_id()
    nonce = secrets.token_bytes(12)
    sealed = nonce + _aead().encrypt(nonce, json.dumps(payload).encode(), row_id.encode())
    db.session.add(HeldWrite(id=row_id, tag=_held_tag(code), sealed=sealed))
    db.session.flush()


def _open(row: HeldWrite) -> dict | None:
    for secret in receipts.receipt_keys():  # sealed under the key current when it was accepted
        try:
            return json.loads(_aead(secret).decrypt(row.sealed[:12], row.sealed[12:], row.id.encode()))
        except (InvalidTag, ValueError):
            continue
    return None


def _held_suggestion(p: dict) -> Suggestion:
    return Suggestion(id=p["id"], category=p["category"], title=p["title"], content=p["content"],
                      status=SuggestionStatus.new, is_public=False, submitted_on=date.fromisoformat(p["day"]),
                      lookup_tag=p["lookup_tag"], receipt_hash=p["receipt_hash"])


def _held_message(p: dict) -> SuggestionMessage:
    return SuggestionMessage(id=p["id"], suggestion_id=p["suggestion_id"], author="submitter", body=p["body"],
                             created_at=_start_of(date.fromisoformat(p["day"])))


# --- submitter side ---------------------------------------------------------------------------


def submit(member_id: int, category: str, title: str | None, content: str) -> tuple[Suggestion, str]:
    """Accept a suggestion and return it (status new, not yet filed) with its receipt, shown once.

    The member only counts towards the daily limit (429 rate_limited over it). The suggestion is held
    sealed; the receipt holder can read it at once, staff see it once file_held has filed it."""
    take_daily_quota(member_id)
    receipt = receipts.new_receipt()
    code = receipts.normalise(receipt)
    payload = {"kind": "suggestion", "id": random_id(), "category": category, "title": title, "content": content,
               "lookup_tag": receipts.lookup_tag(code), "receipt_hash": receipts.hash_receipt(code)}
    _hold(code, payload)
    return _held_suggestion({**payload, "day": today().isoformat()}), receipt


@dataclass
class Opened:
    """A suggestion opened with its receipt: filed, or still held; with the holder's held replies."""

    suggestion: Suggestion
    code: str
    filed: bool
    held_messages: list[SuggestionMessage] = field(default_factory=list)


def by_receipt(raw: str | None) -> Opened:
    """The suggestion of a receipt, filed or still held. Raises 404 not_found for a wrong receipt and
    503 service_unavailable when the host is already running its maximum of receipt checks.

    A receipt that cannot be one (wrong length or letters) is refused before any hashing: the format
    is public, so answering it at once says nothing. Every well-formed receipt costs exactly one scrypt
    run, found or not, so a wrong one takes as long as a right one."""
    code = receipts.normalise(raw or "")
    if code is None:
        raise not_found()
    with receipt_check_slot():
        # Held rows first, then the filed row: a batch filed in between is then seen in one or the other.
        held = [p for p in map(_open, db.session.scalars(select(HeldWrite).where(HeldWrite.tag.in_(_held_tags(code)))))
                if p is not None]
        suggestion = db.session.scalar(select(Suggestion).where(Suggestion.lookup_tag.in_(receipts.lookup_tags(code))))
        filed = suggestion is not None
        if not filed:
            suggestion = next((_held_suggestion(p) for p in held if p["kind"] == "suggestion"), None)
        if not receipts.verify(code, suggestion.receipt_hash if suggestion else None):
            raise not_found()
    messages = sorted((p for p in held if p["kind"] == "message" and p["suggestion_id"] == suggestion.id),
                      key=lambda p: p["accepted_at"])
    return Opened(suggestion, code, filed, [_held_message(p) for p in messages])


def submitter_thread(opened: Opened) -> list[SuggestionMessage]:
    """The thread as the receipt holder sees it: filed messages, then their own replies not yet filed."""
    filed = thread([opened.suggestion.id])[opened.suggestion.id] if opened.filed else []
    seen = {m.id for m in filed}
    return filed + [m for m in opened.held_messages if m.id not in seen]


def reply_as_submitter(opened: Opened, body: str) -> SuggestionMessage:
    """Accept the receipt holder's reply (409 suggestion_closed once closed); it is held like a
    suggestion, shows in their thread at once and reaches staff when filed. Carries only its day."""
    if opened.suggestion.status == SuggestionStatus.closed:
        raise AppError("suggestion_closed")
    payload = {"kind": "message", "id": random_id(), "suggestion_id": opened.suggestion.id, "body": body}
    _hold(opened.code, payload)
    return _held_message({**payload, "day": today().isoformat()})


# --- filing held writes -----------------------------------------------------------------------


def file_held(force: bool = False) -> int:
    """File held suggestions and replies into their tables, all together, in a random order.

    Runs once at least SUGGESTION_BATCH_MIN writes are waiting, or when one has waited its delay
    (random, at most SUGGESTION_MAX_DELAY_SECONDS), or when forced. The held rows are deleted in the
    same transaction as the filed ones are written, and the ids were fixed when accepted, so a crash
    files all or nothing and a second run, or a second scheduler at once, files nothing twice.
    Returns how many writes were filed; the caller commits."""
    if db.session.get_bind().dialect.name == "sqlite":
        # Deleted held rows are overwritten with zeros instead of lingering in free pages.
        db.session.execute(text("PRAGMA secure_delete = ON"))
    opened = []
    for row in db.session.scalars(select(HeldWrite)).all():
        p = _open(row)
        if p is None:
            # Sealed under another key (SECRET_KEY changed): kept, never guessed at, never logged in clear.
            log.warning("a held suggestion write cannot be opened with the current key; it is kept")
            continue
        opened.append((row.id, p))
    if not opened:
        return 0
    now = utcnow()
    if not force and len(opened) < current_app.config["SUGGESTION_BATCH_MIN"] \
            and all(datetime.fromisoformat(p["due_at"]) > now for _, p in opened):
        return 0
    suggestions = [p for _, p in opened if p["kind"] == "suggestion"]
    filed_or_filing = {p["id"] for p in suggestions}
    message_parents = {p["suggestion_id"] for _, p in opened if p["kind"] == "message"} - filed_or_filing
    if message_parents:
        filed_or_filing |= set(db.session.scalars(select(Suggestion.id).where(Suggestion.id.in_(message_parents))))
    # A reply whose suggestion is neither filed nor in this batch waits (it cannot happen in order, but
    # a suggestion sealed under an old key would otherwise take its replies down with a foreign key error).
    batch = [(i, p) for i, p in opened if p["kind"] == "suggestion" or p["suggestion_id"] in filed_or_filing]
    ids = [i for i, _ in batch]
    # Deleted first: a second filer running at once waits on these rows and then deletes none.
    with db.session.begin_nested() as taking:
        if db.session.execute(delete(HeldWrite).where(HeldWrite.id.in_(ids))).rowcount != len(ids):
            taking.rollback()  # another filer took some: undo our part of the delete, file nothing
            return 0
    rng = secrets.SystemRandom()
    rows = [dict(id=p["id"], category=p["category"], title=p["title"], content=p["content"],
                 status=SuggestionStatus.new.value, is_public=False, submitted_on=date.fromisoformat(p["day"]),
                 lookup_tag=p["lookup_tag"], receipt_hash=p["receipt_hash"]) for p in suggestions]
    rng.shuffle(rows)
    for row in rows:  # one statement each, in the shuffled order
        db.session.execute(insert(Suggestion).values(**row))
    # Replies keep their order within their own thread (after what is filed there already); across
    # threads they are written in a random order.
    threads: dict[str, list[dict]] = defaultdict(list)
    for _, p in batch:
        if p["kind"] == "message":
            threads[p["suggestion_id"]].append(p)
    last = dict(db.session.execute(
        select(SuggestionMessage.suggestion_id, func.max(SuggestionMessage.seq))
        .where(SuggestionMessage.suggestion_id.in_(list(threads))).group_by(SuggestionMessage.suggestion_id)
    ).all()) if threads else {}
    messages = []
    for sid, items in threads.items():
        for n, p in enumerate(sorted(items, key=lambda p: p["accepted_at"]), start=last.get(sid, 0) + 1):
            messages.append(dict(id=p["id"], suggestion_id=sid, seq=n, author="submitter", body=p["body"],
                                 created_at=_start_of(date.fromisoformat(p["day"]))))
    rng.shuffle(messages)
    for row in messages:
        db.session.execute(insert(SuggestionMessage).values(**row))
    db.session.flush()
    return len(batch)


def held_count() -> int:
    """How many accepted writes wait to be filed (for operators; says nothing about whose)."""
    return db.session.scalar(select(func.count()).select_from(HeldWrite))


def get(suggestion_id: str) -> Suggestion:
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise AppError("not_found", "建议不存在")
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
    """A reply written at once (staff; 409 suggestion_closed once closed). The receipt holder's replies
    go through reply_as_submitter instead, to be filed with others."""
    if suggestion.status == "closed":
        raise AppError("suggestion_closed")
    seq = db.session.scalar(
        select(func.coalesce(func.max(SuggestionMessage.seq), 0))
        .where(SuggestionMessage.suggestion_id == suggestion.id)
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


def reply_as_staff(suggestion: Suggestion, body: str, mark_answered: bool = False) -> SuggestionMessage:
    """A staff reply; with ``mark_answered`` the suggestion becomes answered in the same transaction.
    Raises 409 suggestion_closed."""
    msg = add_message(suggestion, "staff", body)
    if mark_answered:
        suggestion.status = "answered"
        db.session.flush()
    return msg


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
            raise AppError("no_staff_reply")
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
        "by_category": [{"key": c, "label": SuggestionCategory(c).label, "count": n} for c, n in by_cat]
        + ([{"key": "merged", "label": OTHER_LABEL, "count": other_cat}] if other_cat else []),
        "by_month": [{"key": m, "label": m, "count": n} for m, n in sorted(by_month)]
        + ([{"key": "merged", "label": OTHER_LABEL, "count": other_month}] if other_month else []),
    }
