"""The audit trail is readable by admins and append-only in the database itself."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.audit_trail import services
from server.audit_trail.models import AuditTrailEntry


def test_admin_reads_the_trail_newest_first_with_the_actor(client, db, make, auth):
    admin = make.member(name="管理员甲", roles=("member", "admin"))
    services.record("fund_entry", 7, "create", actor_id=admin.id, after={"amount_fen": 12345})
    services.record("fund_entry", 7, "update", actor_id=admin.id, before={"amount_fen": 12345},
                    after={"amount_fen": 12346})
    services.record("procurement", 3, "create", actor_id=None, after={"title": "空调"})
    db.session.flush()

    r = client.get("/api/v1/audit-trail?entity=fund_entry&entity_id=7", headers=auth(admin))
    assert r.status_code == 200, r.json
    assert [i["action"] for i in r.json["items"]] == ["update", "create"]
    assert r.json["items"][0]["before"] == {"amount_fen": 12345}
    assert r.json["items"][0]["after"] == {"amount_fen": 12346}
    assert r.json["items"][0]["actor"] == {"id": admin.id, "name": "管理员甲"}
    assert r.json["items"][0]["at"].endswith("+08:00")

    r = client.get("/api/v1/audit-trail", headers=auth(admin))
    assert r.json["total"] == 3 and r.json["items"][0]["actor"] is None


@pytest.mark.parametrize("statement", ["UPDATE audit_trail SET action = 'forged'", "DELETE FROM audit_trail"])
def test_the_database_refuses_changes_to_the_trail(db, make, statement):
    services.record("fund_entry", 1, "create", actor_id=make.member().id, after={"amount_fen": 100})
    db.session.flush()
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(text(statement))
    assert db.session.query(AuditTrailEntry).one().action == "create"
