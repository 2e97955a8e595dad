"""Hardship aid cases: the retention purge over many ended cases, and the staff list over them.

    .venv/bin/python bench/care_purge.py [--database-url URL] [--cases 20000] [--runs 5]

Fills ``--cases`` cases in bulk, ended four years ago (past CARE_RETENTION_DAYS), each with its timeline, an
assessment, two decisions, a grant and a visit, every fourth with a document whose file is really written to
the storage folder; then times the chair's first page of the staff list (``GET /care/cases?per_page=100``),
and one run of the purge (set-based, 500 cases a transaction, files deleted after each commit), and a second
run (nothing to do). With a PostgreSQL URL the bench works in a schema of its own (``care_bench``, dropped
afterwards); without one, in a throwaway SQLite file. Prints the figures.
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCHEMA = "care_bench"


def _pg_url(url: str) -> str:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    eng.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"


def _drop_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    eng.dispose()


def fill(n: int) -> tuple[int, int]:
    """Insert n ended cases with their details; returns (the chair's id, documents written)."""
    from sqlalchemy import insert

    from server.care.models import (
        CareAssessment,
        CareCase,
        CareDecision,
        CareDocument,
        CareGrant,
        CareHandler,
        CareStageEvent,
        CareVisit,
    )
    from server.core.extensions import db
    from server.core.timeutil import utcnow
    from server.members.models import Member
    from server.uploads.models import Upload
    from server.uploads.storage import new_key, storage

    staff = Member(employee_no="CB0001", name="压测干事", roles=["member", "staff"])
    chair = Member(employee_no="CB0002", name="压测主席", roles=["member", "secretary"])
    members = [Member(employee_no=f"CB1{i:04d}", name=f"会员{i}", roles=["member"]) for i in range(1000)]
    db.session.add_all([staff, chair, *members])
    db.session.flush()
    ended = utcnow() - timedelta(days=4 * 365)
    opened = ended - timedelta(days=60)
    store = storage()
    cases, handlers, events, assessments, decisions, grants, visits, uploads, docs = ([] for _ in range(9))
    for i in range(1, n + 1):
        cases.append({"id": i, "member_id": members[i % 1000].id, "category": "illness", "open_category": None,
                      "summary": "情况说明" * 20, "stage": "closed", "round": 1, "handler_count": 1,
                      "opened_by_id": staff.id, "opened_by_role": "staff", "opened_at": opened, "updated_at": ended,
                      "closed_at": ended, "outcome": "已结案"})
        handlers.append({"case_id": i, "member_id": staff.id, "added_by": chair.id, "added_at": opened})
        events += [{"case_id": i, "stage": s, "at": opened} for s in ("opened", "assessing", "closed")]
        assessments.append({"case_id": i, "household_size": 3, "monthly_income_fen": 300_000, "dependants": 1,
                            "situation": "家庭情况" * 30, "need": "补助", "assessed_by": staff.id,
                            "assessed_at": opened})
        decisions += [{"case_id": i, "step": "handler", "round": 1, "decision": "approve", "comment": "属实",
                       "decided_by": staff.id, "decided_at": opened},
                      {"case_id": i, "step": "chair", "round": 1, "decision": "approve", "comment": "同意",
                       "decided_by": chair.id, "decided_at": opened}]
        grants.append({"case_id": i, "kind": "goods", "amount_fen": None, "description": "米面油",
                       "fund_entry_id": None, "granted_by": staff.id, "granted_at": opened})
        visits.append({"case_id": i, "visited_at": opened, "visitors": "干事", "notes": "回访记录" * 20,
                       "next_visit_due": None, "recorded_by": staff.id, "recorded_at": opened})
        if i % 4 == 0:
            key = new_key("jpg")
            store.put(key, secrets.token_bytes(2048), "image/jpeg")
            uid = secrets.token_urlsafe(16)
            uploads.append({"id": uid, "owner_id": staff.id, "content_type": "image/jpeg", "size": 2048,
                            "width": 10, "height": 10, "storage_key": key, "created_at": opened,
                            "attached_kind": "care_case", "attached_id": i, "position": 0})
            docs.append({"case_id": i, "upload_id": uid, "filename": "病历.jpg", "uploaded_by": staff.id,
                         "uploaded_at": opened})
    for model, rows in ((CareCase, cases), (CareHandler, handlers), (CareStageEvent, events),
                        (CareAssessment, assessments), (CareDecision, decisions), (CareGrant, grants),
                        (CareVisit, visits), (Upload, uploads), (CareDocument, docs)):
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[chunk:chunk + 5000])
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("SELECT setval(pg_get_serial_sequence('care_cases', 'id'), :n)"), {"n": n})
    db.session.commit()
    return chair.id, len(docs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (the bench uses its own schema there)")
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = _pg_url(args.database_url) if args.database_url else f"sqlite:///{tmp.name}/care.db"
    from server import create_app
    from server.core.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40, "STORAGE_ROOT": f"{tmp.name}/files"})
    try:
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            chair_id, documents = fill(args.cases)
            fill_s = time.perf_counter() - t0
            from server.care import jobs
            from server.core.timeutil import utcnow
            from server.members.auth import issue_token

            with app.test_request_context():
                token = issue_token(chair_id)[0]
            client = app.test_client()
            page = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                r = client.get("/api/v1/care/cases?per_page=100", headers={"Authorization": f"Bearer {token}"})
                page.append(time.perf_counter() - t0)
                assert r.status_code == 200 and r.json["total"] == args.cases, r.json
            db.session.remove()
            t0 = time.perf_counter()
            purged = jobs.purge(utcnow())
            purge_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = jobs.purge(utcnow())
            again_s = time.perf_counter() - t0
            left = sum(1 for f in Path(f"{tmp.name}/files").rglob("*") if f.is_file())
            kind = db.engine.dialect.name
            assert purged == args.cases and again == 0 and left == 0, (purged, again, left)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if args.database_url:
            _drop_schema(args.database_url)
        tmp.cleanup()

    print(f"database: {kind}; {args.cases} ended cases ({documents} documents with files) filled in {fill_s:.1f} s")
    print(f"staff list, first page of 100 (the chair): median {statistics.median(page) * 1000:.0f} ms, "
          f"max {max(page) * 1000:.0f} ms over {args.runs} runs")
    print(f"purge: {purged} cases and {documents} files in {purge_s:.2f} s "
          f"({purge_s / max(purged, 1) * 1000:.2f} ms a case); a second run (nothing to do) {again_s * 1000:.0f} ms")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
