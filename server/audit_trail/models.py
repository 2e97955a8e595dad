from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import UTCDateTime, utcnow


class AuditTrailEntry(db.Model):
    __tablename__ = "audit_trail"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Null when the system acted (a scheduled job, a CLI command without a signed-in person).
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    entity: Mapped[str] = mapped_column(String(40))      # e.g. fund_entry, procurement, award
    entity_id: Mapped[str] = mapped_column(String(40))   # a row id, or a key such as a month "2026-11"
    action: Mapped[str] = mapped_column(String(40))      # e.g. create, update, delete, approve, publish
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_trail_entity", "entity", "entity_id", "id"),
        Index("ix_audit_trail_actor", "actor_id", "id"),
        {"info": {"append_only": True}},
    )


# The same statements the migration runs. Tests that empty tables disable them around their DELETE.
PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_trail is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$""",
    """CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail
FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail
BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END""",
    """CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail
BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END""",
]

for _sql in PG_APPEND_ONLY:
    event.listen(AuditTrailEntry.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
for _sql in SQLITE_APPEND_ONLY:
    event.listen(AuditTrailEntry.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
