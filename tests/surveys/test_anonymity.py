"""An anonymous survey keeps who has answered apart from what was answered.

After members answer (each one a unique text, so the test can tell whose a filed row is) and the batch is
filed: every table of the database and the captured logs are scanned for the members' ids, employee numbers,
names and phones next to their answers; response rows carry the day only; and the physical order of the
filed rows (SQLite rowid, PostgreSQL ctid), like their ids, cannot be matched to the order of the
participation record.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import inspect, text

from server.core.timeutil import utcnow
from server.members.auth import issue_token
from server.surveys import services
from server.surveys.jobs import file_held_responses
from tests.factories import Factory
from tests.suggestions.test_anonymity import dump
from tests.suggestions.test_batches import MAX_CORRELATION, rank_correlation

API = "/api/v1"
MEMBERS = 80
RESPONSE_TABLES = ("survey_responses", "survey_answers", "survey_held_responses")


def test_anonymous_responses_cannot_be_linked(app, committing_db, caplog):
    caplog.set_level(logging.DEBUG)
    make = Factory(committing_db)
    staff = make.staff()
    members = [make.member(id=9_300_000 + i, employee_no=f"ANON-EMP-{i:04d}", name=f"匿名测试员{i:03d}",
                           phone=f"1371234{i:04d}", department=("生产一部", "生产二部")[i % 2]) for i in range(MEMBERS)]
    now = utcnow()
    survey = services.create_survey(staff.id, {
        "title": "满意度调查", "anonymous": True, "audience": {}, "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1), "questions": [{"kind": "scale", "text": "满意度"},
                                                            {"kind": "text", "text": "意见"}]})
    services.publish(survey.id)
    committing_db.session.commit()
    sid = survey.id
    people = [(m.id, m.employee_no, m.name, m.phone) for m in members]
    committing_db.session.remove()
    with app.test_request_context():
        tokens = [issue_token(mid)[0] for mid, *_ in people]
    client = app.test_client()
    secret = {mid: f"意见编号Q{n:03d}X" for n, (mid, *_) in enumerate(people)}
    for (mid, *_), token in zip(people, tokens, strict=True):  # one after another: a known order
        r = client.post(f"{API}/surveys/{sid}/responses", headers={"Authorization": f"Bearer {token}"},
                        json={"answers": [{"question": 0, "value": 1 + mid % 5}, {"question": 1, "text": secret[mid]}]})
        assert r.status_code == 201, r.get_json()

    # While held, nothing of the answers is readable.
    tables = dump(committing_db.session)
    assert len(tables["survey_held_responses"]) == MEMBERS and not tables["survey_responses"]
    everything = "\n".join("\t".join(row) for rows in tables.values() for row in rows)
    assert not any(t in everything or t.encode().hex() in everything for t in secret.values())
    committing_db.session.remove()

    assert file_held_responses() == MEMBERS  # at least SURVEY_BATCH_MIN wait: filed without forcing
    committing_db.session.remove()

    tables = dump(committing_db.session)
    assert not tables["survey_held_responses"] and len(tables["survey_responses"]) == MEMBERS
    whose = {}
    for table, rows in tables.items():
        for row in rows:
            line = "\t".join(row)
            for mid, emp, name, phone in people:
                if secret[mid] in line:
                    # Wherever an answer is stored, nothing of its member is beside it.
                    assert table == "survey_answers", (table, row)
                    assert not any(v in line for v in (str(mid), emp, name, phone)), (table, row)
                    whose[row[0]] = mid
    assert len(whose) == MEMBERS
    for table in RESPONSE_TABLES:
        for row in tables[table]:
            line = "\t".join(row)
            assert not any(v in line for p in people for v in (str(p[0]), p[1], p[2], p[3])), (table, row)

    conn = committing_db.session.connection()
    cols = [c["name"] for c in inspect(conn).get_columns("survey_responses")]
    assert set(cols) == {"id", "survey_id", "member_id", "department", "grid", "answered_on"}
    for row in tables["survey_responses"]:
        values = dict(zip(cols, row, strict=True))
        assert values["member_id"] == ""  # NULL
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", values["answered_on"])  # the day, no time
        assert values["department"] in ("生产一部", "生产二部")
    for table in ("survey_answers",):
        assert not [c for c in inspect(conn).get_columns(table) if "date" in str(c["type"]).lower()
                    or "time" in str(c["type"]).lower()]

    # The participation order is the order they answered; the filed rows' orders say nothing of it.
    position = {mid: n for n, (mid, *_) in enumerate(people)}
    order_sql = "rowid" if conn.dialect.name == "sqlite" else "ctid"
    for table, key in (("survey_responses", "id"), ("survey_answers", "response_id")):
        for order in ("id" if table == "survey_responses" else "response_id", order_sql):
            ids = conn.execute(text(f"SELECT {key} FROM {table} WHERE text IS NOT NULL ORDER BY {order}")
                               if table == "survey_answers" else
                               text(f"SELECT {key} FROM {table} ORDER BY {order}")).scalars().all()
            assert len(ids) == MEMBERS
            rho = rank_correlation([position[whose[i]] for i in ids])
            assert abs(rho) < MAX_CORRELATION, (table, order, rho)
    if conn.dialect.name == "postgresql":
        xmins = set(conn.execute(text("SELECT xmin::text FROM survey_responses")).scalars())
        assert len(xmins) == 1  # one batch, one transaction
    committing_db.session.remove()

    for mid, emp, name, phone in people:
        assert emp not in caplog.text and phone not in caplog.text and name not in caplog.text
        assert secret[mid] not in caplog.text
