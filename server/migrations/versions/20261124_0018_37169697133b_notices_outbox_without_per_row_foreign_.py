"""notices outbox without per-row foreign keys, partial due index

Planning a notice to 100,000 members spent half its time in per-row foreign-key checks on
notice_recipients and deliveries; only planning writes those rows, selected from members inside the
transaction that locks the notice (docs/architecture.md). The due index covers queued rows only, in the
claim's order, and the per-notice stats index goes: the unique key already leads with notice_id.

Revision ID: 37169697133b
Revises: d8d514f62f70
Create Date: 2026-11-24 00:18:41.509255

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '37169697133b'
down_revision = 'd8d514f62f70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_notice_stats'))
        batch_op.drop_index(batch_op.f('ix_deliveries_due'))
        batch_op.create_index('ix_deliveries_due', ['next_attempt_at', 'id'], unique=False, postgresql_where=sa.text("status = 'queued'"), sqlite_where=sa.text("status = 'queued'"))
        batch_op.drop_constraint(batch_op.f('fk_deliveries_member_id_members'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_deliveries_notice_id_notices'), type_='foreignkey')

    with op.batch_alter_table('notice_recipients', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notice_recipients_notice_id_notices'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_notice_recipients_member_id_members'), type_='foreignkey')


def downgrade():
    with op.batch_alter_table('notice_recipients', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_notice_recipients_member_id_members'), 'members', ['member_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_notice_recipients_notice_id_notices'), 'notices', ['notice_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_deliveries_notice_id_notices'), 'notices', ['notice_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_deliveries_member_id_members'), 'members', ['member_id'], ['id'])
        batch_op.drop_index('ix_deliveries_due', postgresql_where=sa.text("status = 'queued'"), sqlite_where=sa.text("status = 'queued'"))
        batch_op.create_index(batch_op.f('ix_deliveries_due'), ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_notice_stats'), ['notice_id', 'channel', 'status'], unique=False)
