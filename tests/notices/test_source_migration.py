"""Migration c5e8a1f3b2d7 classifies the automatic notices written before notices had a source, so they
leave the staff's list at once; staff-written notices stay staff's."""
from __future__ import annotations

from sqlalchemy import text

from server import create_app


def test_earlier_automatic_notices_get_their_source_and_event(tmp_path):
    from flask_migrate import downgrade, upgrade

    from server.core.extensions import db

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'migrated.db'}", "SECRET_KEY": "k" * 40})
    with app.app_context():
        upgrade(revision="a7c3e9d2f418")
        rows = [("候补成功：插花课", "pages/events/detail?id=7", None),
                ("活动提醒：读书会", "pages/events/detail?id=9", None),
                ("预约变更：法律门诊", "pages/bookings/mine", None),
                ("候补成功：我们自己写的", None, 1),  # written by staff, though it starts like an automatic title
                ("工会例会", None, None)]
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO members (id, employee_no, name, roles, is_active, token_version, created_at,"
                              " updated_at) VALUES (1, 'S1', '王', '[]', 1, 0, '2026-01-01', '2026-01-01')"))
            for i, (title, page, created_by) in enumerate(rows, start=1):
                conn.execute(text("INSERT INTO notices (id, title, body, channels, audience, sms_fallback, page,"
                                  " status, recipients_count, created_by, created_at) VALUES (:id, :t, 'x',"
                                  " '[\"push\"]', '{}', 1, :p, 'sent', 0, :c, '2026-01-01 00:00:00')"),
                             {"id": i, "t": title, "p": page, "c": created_by})
        upgrade()
        with db.engine.connect() as conn:
            got = conn.execute(text("SELECT id, source, event_id FROM notices ORDER BY id")).all()
        downgrade(revision="a7c3e9d2f418")
        db.engine.dispose()
    assert [tuple(r) for r in got[:3]] == [(1, "waitlist", 7), (2, "reminder", 9), (3, "booking_change", None)]
    assert [tuple(r) for r in got[3:]] == [(4, "staff", None), (5, "staff", None)]
