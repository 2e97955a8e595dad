"""The care job in the one scheduler (job ``care``): visit reminders and the retention purge.

- Reminders: the handlers of a following-up case are told on the working day before its next visit is due
  (server/workdays; a scheduler that was down then tells them later, up to the due day). One conditional
  UPDATE … RETURNING claims the cases (``visit_reminded_for`` takes the due date), so each due date is told
  once whatever runs twice; a new due date gets its own reminder. One notice per handler, cases by number.
- Purge: a closed, rejected or withdrawn case is emptied CARE_RETENTION_DAYS after it ended, set-based in
  batches: documents and their upload rows deleted, the assessment deleted, notes, comments, descriptions,
  visitors, summary and outcome set to NULL, ``purged_at`` set — one transaction per batch. The documents'
  files are deleted after that commit: a crash between leaves files no row names, which the uploads job's
  sweep removes; never a row without its file. A second run finds nothing to do.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, or_, select, update

from ..audit_trail.models import AuditTrailEntry
from ..core.extensions import db, transaction
from ..core.timeutil import utcnow
from ..uploads.models import Upload
from ..uploads.storage import storage
from ..workdays.calendar import WorkCalendar, local_date
from .access import CHAIR
from .models import (
    TERMINAL,
    CareAssessment,
    CareCase,
    CareDecision,
    CareDocument,
    CareGrant,
    CareHandler,
    CareStage,
    CareVisit,
)
from .services import ENTITY, _tell

log = logging.getLogger(__name__)
BATCH = 500
# Reminders look this far ahead: the working day before a due date is never further back than the longest
# holiday run (Spring Festival and National Day: 8–9 days).
LOOKAHEAD_DAYS = 15


def _day_before_workday(cal: WorkCalendar, due: date) -> date:
    day = due - timedelta(days=1)
    while not cal.info(day).workday:
        day -= timedelta(days=1)
    return day


def remind_visits(now: datetime) -> int:
    """Tell handlers of the visits due; returns how many cases were claimed."""
    today = local_date(now)
    horizon = today + timedelta(days=LOOKAHEAD_DAYS)
    rows = db.session.execute(
        select(CareCase.id, CareCase.next_visit_due)
        .where(CareCase.stage == CareStage.following_up, CareCase.next_visit_due.between(today, horizon),
               or_(CareCase.visit_reminded_for.is_(None), CareCase.visit_reminded_for != CareCase.next_visit_due))
    ).all()
    if not rows:
        return 0
    cal = WorkCalendar(today - timedelta(days=LOOKAHEAD_DAYS), horizon)
    due_ids = sorted(cid for cid, due in rows if _day_before_workday(cal, due) <= today)
    if not due_ids:
        return 0
    claimed = db.session.execute(
        update(CareCase)
        .where(CareCase.id.in_(due_ids), CareCase.stage == CareStage.following_up,
               CareCase.next_visit_due.is_not(None),
               or_(CareCase.visit_reminded_for.is_(None), CareCase.visit_reminded_for != CareCase.next_visit_due))
        .values(visit_reminded_for=CareCase.next_visit_due)
        .returning(CareCase.id, CareCase.next_visit_due)
        .execution_options(synchronize_session=False)).all()
    if not claimed:
        return 0
    due_of = {r.id: r.next_visit_due for r in claimed}
    by_member: dict[int, list[int]] = defaultdict(list)
    for cid, mid in db.session.execute(select(CareHandler.case_id, CareHandler.member_id)
                                       .where(CareHandler.case_id.in_(sorted(due_of)))).all():
        by_member[mid].append(cid)
    orphans = set(due_of) - {c for cs in by_member.values() for c in cs}
    if orphans:  # a case whose handlers were all taken off: the chair hears of it
        from ..member_requests.access import role_condition
        from ..members.models import Member

        for mid in db.session.scalars(select(Member.id).where(Member.is_active.is_(True), role_condition(CHAIR))):
            by_member[mid].extend(sorted(orphans))
    for mid, cids in sorted(by_member.items()):
        listed = "、".join(f"#{c}（{due_of[c].month}月{due_of[c].day}日）" for c in sorted(cids))
        _tell([mid], "帮扶回访提醒", f"帮扶个案 {listed} 的回访即将到期，请登录后台查看。")
    return len(claimed)


def purge_batch(cutoff: datetime, now: datetime) -> tuple[int, list[str]]:
    """One transaction: empty up to BATCH cases ended before ``cutoff``; returns (how many, the storage keys of
    their documents' files, to delete once this has committed)."""
    with transaction():
        ids = list(db.session.scalars(
            select(CareCase.id)
            .where(CareCase.stage.in_([str(s) for s in TERMINAL]), CareCase.closed_at < cutoff,
                   CareCase.purged_at.is_(None))
            .order_by(CareCase.id).limit(BATCH).with_for_update(skip_locked=True)))
        if not ids:
            return 0, []
        docs = db.session.execute(select(CareDocument.upload_id, Upload.storage_key)
                                  .join(Upload, Upload.id == CareDocument.upload_id)
                                  .where(CareDocument.case_id.in_(ids))).all()
        db.session.execute(delete(CareDocument).where(CareDocument.case_id.in_(ids)))
        if docs:
            db.session.execute(delete(Upload).where(Upload.id.in_([u for u, _ in docs])))
        db.session.execute(delete(CareAssessment).where(CareAssessment.case_id.in_(ids)))
        db.session.execute(update(CareVisit).where(CareVisit.case_id.in_(ids)).values(visitors=None, notes=None))
        db.session.execute(update(CareDecision).where(CareDecision.case_id.in_(ids)).values(comment=None))
        db.session.execute(update(CareGrant).where(CareGrant.case_id.in_(ids)).values(description=None))
        db.session.execute(update(CareCase).where(CareCase.id.in_(ids))
                           .values(summary=None, outcome=None, purged_at=now)
                           .execution_options(synchronize_session=False))
        db.session.execute(insert(AuditTrailEntry), [
            {"at": now, "actor_id": None, "entity": ENTITY, "entity_id": str(i), "action": "purge",
             "before": None, "after": None} for i in ids])
    return len(ids), [k for _, k in docs]


def purge(now: datetime) -> int:
    """Empty the details of cases ended more than CARE_RETENTION_DAYS ago; returns how many cases."""
    cutoff = now - timedelta(days=current_app.config["CARE_RETENTION_DAYS"])
    store = storage()
    total = 0
    while True:
        done, keys = purge_batch(cutoff, now)
        for key in keys:  # after the commit: a row never outlives its file
            try:
                store.delete(key)
            except Exception:  # the store is down: the sweep of stray files takes it later
                log.warning("could not delete a purged care document's file (%s)", key, exc_info=True)
        total += done
        if done < BATCH:
            return total


def run(now: datetime | None = None) -> dict:
    """The scheduler's pass. Needs an app context."""
    now = now or utcnow()
    with transaction():
        reminded = remind_visits(now)
    purged = purge(now)
    return {"reminded": reminded, "purged": purged}
