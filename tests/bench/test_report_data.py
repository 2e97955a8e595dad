"""The report benchmark's generator (bench/report_data.py) at a tiny scale: 200 members over one month, on
SQLite and on PostgreSQL (COPY there, executemany here), inside the test's transaction. Its rows pass every
constraint of the real tables by being inserted; these tests check that they also hang together."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from bench.report_data import generate

START = date(2025, 1, 1)


@pytest.fixture
def counts(db):
    return generate(db.session.connection(), members=200, start=START, months=1, seed=7)


def scalar(db, sql: str):
    return db.session.execute(text(sql)).scalar_one()


def test_every_area_gets_rows_and_the_counts_are_true(db, counts):
    for table in ("departments", "grids", "members", "events", "registrations", "checkins", "volunteer_checkouts",
                  "requests", "request_events", "notices", "notice_recipients", "deliveries", "benefits",
                  "benefit_options", "benefit_claims", "surveys", "survey_questions", "survey_participations",
                  "survey_responses", "survey_answers", "suggestions", "suggestion_messages", "congress_sessions",
                  "proposals", "proposal_cosigners", "proposal_events", "improvements", "improvement_events"):
        assert counts[table] > 0, table
        assert scalar(db, f"SELECT count(*) FROM {table}") == counts[table], table
    assert scalar(db, "SELECT count(*) FROM members") == 200


def test_rows_refer_to_rows_that_exist(db, counts):
    orphans = {
        "checkins without event or member": """SELECT count(*) FROM checkins c LEFT JOIN events e ON e.id = c.event_id
            LEFT JOIN members m ON m.id = c.member_id WHERE e.id IS NULL OR m.id IS NULL""",
        "deliveries without notice or member": """SELECT count(*) FROM deliveries d
            LEFT JOIN notices n ON n.id = d.notice_id LEFT JOIN members m ON m.id = d.member_id
            WHERE n.id IS NULL OR m.id IS NULL""",
        "deliveries without recipient": """SELECT count(*) FROM deliveries d LEFT JOIN notice_recipients r
            ON r.notice_id = d.notice_id AND r.member_id = d.member_id WHERE r.member_id IS NULL""",
        "check-ins at cancelled events or before the member joined": """SELECT count(*) FROM checkins c
            JOIN events e ON e.id = c.event_id JOIN members m ON m.id = c.member_id
            WHERE e.status <> 'published' OR m.created_at > e.starts_at""",
        "check-ins with another member's registration": """SELECT count(*) FROM checkins c
            JOIN registrations r ON r.id = c.registration_id
            WHERE r.member_id <> c.member_id OR r.event_id <> c.event_id OR r.status <> 'confirmed'""",
        "check-outs away from volunteer events": """SELECT count(*) FROM volunteer_checkouts v
            JOIN checkins c ON c.id = v.checkin_id JOIN events e ON e.id = v.event_id
            WHERE e.kind <> 'volunteer' OR c.member_id <> v.member_id OR c.event_id <> v.event_id""",
        "answers of another survey": """SELECT count(*) FROM survey_answers a
            JOIN survey_responses r ON r.id = a.response_id JOIN survey_questions q ON q.id = a.question_id
            WHERE r.survey_id <> a.survey_id OR q.survey_id <> a.survey_id""",
        "claims of another campaign's option": """SELECT count(*) FROM benefit_claims c
            JOIN benefit_options o ON o.id = c.option_id WHERE o.benefit_id <> c.benefit_id""",
        "requests outside their member's grid": """SELECT count(*) FROM requests r
            JOIN members m ON m.id = r.member_id WHERE r.grid_id <> m.grid_id""",
    }
    for what, sql in orphans.items():
        assert scalar(db, sql) == 0, what


def test_counters_match_the_rows_they_count(db, counts):
    assert scalar(db, """SELECT count(*) FROM events e WHERE e.confirmed_count <>
        (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed')""") == 0
    assert scalar(db, """SELECT count(*) FROM notices n WHERE n.recipients_count <>
        (SELECT count(*) FROM notice_recipients r WHERE r.notice_id = n.id) OR 2 * n.recipients_count <>
        (SELECT count(*) FROM deliveries d WHERE d.notice_id = n.id)""") == 0
    assert scalar(db, """SELECT count(*) FROM benefit_options o WHERE o.claimed <>
        (SELECT count(*) FROM benefit_claims c WHERE c.option_id = o.id AND c.status <> 'cancelled')""") == 0


def test_the_shape_the_report_needs(db, counts):
    # Departments under five members, so the report has groups to merge.
    assert scalar(db, """SELECT count(*) FROM (SELECT d.id FROM departments d JOIN members m ON m.department_id = d.id
        GROUP BY d.id HAVING count(*) < 5) small""") == 4
    # Every grid with members has a liaison in it.
    assert scalar(db, """SELECT count(*) FROM grids g WHERE EXISTS (SELECT 1 FROM members m WHERE m.grid_id = g.id)
        AND NOT EXISTS (SELECT 1 FROM members m WHERE m.grid_id = g.id AND m.roles LIKE '%liaison%')""".replace(
        "m.roles LIKE", "CAST(m.roles AS TEXT) LIKE")) == 0
    assert scalar(db, "SELECT count(*) FROM members WHERE NOT is_active") > 0
    # Clocks kept and missed, and something of each kind still open when the period ends.
    assert scalar(db, "SELECT count(*) FROM requests WHERE first_response_at > first_response_due_at") > 0
    assert scalar(db, "SELECT count(*) FROM requests WHERE first_response_at <= first_response_due_at") > 0
    assert scalar(db, "SELECT count(*) FROM requests WHERE satisfaction IS NOT NULL") > 0
    statuses = {s for (s,) in db.session.execute(text("SELECT DISTINCT status FROM deliveries"))}
    assert {"sent", "failed", "skipped"} <= statuses
    read = scalar(db, "SELECT count(read_at) FROM notice_recipients") / counts["notice_recipients"]
    assert 0.4 < read < 0.8
    assert scalar(db, "SELECT count(*) FROM benefit_claims WHERE status = 'redeemed'") > 0
    assert scalar(db, "SELECT count(*) FROM survey_answers WHERE value BETWEEN 1 AND 5") > 0
    assert scalar(db, "SELECT count(*) FROM suggestion_messages WHERE author = 'staff'") > 0
    assert scalar(db, "SELECT count(*) FROM proposals WHERE assigned_at IS NOT NULL") > 0
    # Nothing happens after the period (one month, Asia/Shanghai) ends.
    end = datetime(2025, 1, 31, 16, tzinfo=UTC)
    for table, column in (("checkins", "checked_in_at"), ("requests", "created_at"), ("notices", "sent_at"),
                          ("notice_recipients", "read_at"), ("benefit_claims", "claimed_at")):
        latest = db.session.execute(text(f"SELECT max({column}) FROM {table}")).scalar_one()
        latest = latest if isinstance(latest, datetime) else datetime.fromisoformat(latest)
        assert (latest if latest.tzinfo else latest.replace(tzinfo=UTC)) < end, table


def test_the_report_reads_the_generated_month(db, counts):
    """The data is what the report is timed on: its figures come out in range and small departments merge."""
    from server.reports.build import build_report
    from server.reports.periods import Period

    report = build_report(Period.parse("2025Q1"), now=datetime(2025, 2, 1, tzinfo=UTC))
    figures = {f["key"]: f["value"] for f in report["figures"]}
    assert 0.2 < figures["participation.rate"] < 0.9
    assert figures["participation.checkins"] == counts["checkins"]
    assert figures["notices.count"] == counts["notices"]
    assert 0.4 < figures["notices.read_rate"] < 0.8
    assert figures["requests.count"] == counts["requests"]
    assert 1 <= figures["surveys.score"] <= 5
    rows = next(t["rows"] for s in report["sections"] for t in s["tables"] if t["key"] == "participation.by_department")
    assert any(r["merged"] for r in rows)
