"""deliveries: sending, unknown and duplicate states; index for reconciliation

A row is marked `sending` before its provider call, so a worker killed mid-call leaves a trace that
reconciliation (docs/delivery.md) resolves before anything is sent again. `duplicate` needs 9
characters, so the status column widens to 12. Rows left `sending` are found by a small partial index.

Revision ID: a7d3c91e4b52
Revises: 5b0c7e1f9a2d
Create Date: 2026-12-02 14:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3c91e4b52'
down_revision = '5b0c7e1f9a2d'
branch_labels = None
depends_on = None

OLD = "status IN ('queued', 'sent', 'failed', 'skipped')"
NEW = "status IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'unknown', 'duplicate')"


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_deliveries_status_valid'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=8), type_=sa.String(length=12),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_deliveries_status_valid'), NEW)
        batch_op.create_index('ix_deliveries_sending', ['lease_until'], unique=False,
                              postgresql_where=sa.text("status = 'sending'"),
                              sqlite_where=sa.text("status = 'sending'"))


def downgrade():
    # Rows in the new states go back to what the old schema can say: in flight or unknown is "queued"
    # would resend, so they are kept as failed (not sent again), duplicates as sent.
    op.execute("UPDATE deliveries SET status = 'sent' WHERE status = 'duplicate'")
    op.execute("UPDATE deliveries SET status = 'failed' WHERE status IN ('sending', 'unknown')")
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_sending', postgresql_where=sa.text("status = 'sending'"),
                            sqlite_where=sa.text("status = 'sending'"))
        batch_op.drop_constraint(batch_op.f('ck_deliveries_status_valid'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=8),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_deliveries_status_valid'), OLD)
