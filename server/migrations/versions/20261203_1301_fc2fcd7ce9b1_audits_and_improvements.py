"""audits as checklists (audits, audit_items) and the improvement list (improvements, improvement_events);
notices.source "improvement" is already allowed (c89a105c7348)

Revision ID: fc2fcd7ce9b1
Revises: 87e388d593ae
Create Date: 2026-12-03 13:01:44.828020

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'fc2fcd7ce9b1'
down_revision = '87e388d593ae'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('fund_semiannual', 'procedure_annual')", name=op.f('ck_audits_kind_valid')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_audits_status_valid')),
    sa.ForeignKeyConstraint(['closed_by'], ['members.id'], name=op.f('fk_audits_closed_by_members')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_audits_created_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audits')),
    sa.UniqueConstraint('kind', 'period', name=op.f('uq_audits_kind_period'))
    )
    op.create_table('audit_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('figure', sa.String(length=200), nullable=True),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('computation', sa.Text(), nullable=True),
    sa.Column('suggested', sa.String(length=4), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=4), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('marked_by', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("result IN ('pass', 'fail', 'na')", name=op.f('ck_audit_items_result_valid')),
    sa.CheckConstraint("suggested IN ('pass', 'fail')", name=op.f('ck_audit_items_suggested_valid')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_items_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by'], ['members.id'], name=op.f('fk_audit_items_marked_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_items')),
    sa.UniqueConstraint('audit_id', 'key', name=op.f('uq_audit_items_audit_id_key'))
    )
    op.create_table('improvements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('audit_item_id', sa.Integer(), nullable=True),
    sa.Column('figure', sa.String(length=60), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint("source <> 'audit' OR audit_item_id IS NOT NULL", name=op.f('ck_improvements_audit_finding_linked')),
    sa.CheckConstraint("source IN ('audit', 'report', 'manual')", name=op.f('ck_improvements_source_valid')),
    sa.CheckConstraint("status <> 'cancelled' OR cancel_reason IS NOT NULL", name=op.f('ck_improvements_cancelled_has_reason')),
    sa.CheckConstraint("status <> 'done' OR result IS NOT NULL", name=op.f('ck_improvements_done_has_result')),
    sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name=op.f('ck_improvements_status_valid')),
    sa.CheckConstraint('escalation BETWEEN 0 AND 2', name=op.f('ck_improvements_escalation_range')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_improvements_audit_id_audits')),
    sa.ForeignKeyConstraint(['audit_item_id'], ['audit_items.id'], name=op.f('fk_improvements_audit_item_id_audit_items')),
    sa.ForeignKeyConstraint(['closed_by'], ['members.id'], name=op.f('fk_improvements_closed_by_members')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_improvements_created_by_members')),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name=op.f('fk_improvements_owner_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvements'))
    )
    with op.batch_alter_table('improvements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvements_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvements_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_improvements_status_due', ['status', 'due_at'], unique=False)

    op.create_table('improvement_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('improvement_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.CheckConstraint("action IN ('created', 'note', 'completed', 'cancelled', 'reopened', 'warned', 'overdue', 'escalated')", name=op.f('ck_improvement_events_action_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_improvement_events_actor_id_members')),
    sa.ForeignKeyConstraint(['improvement_id'], ['improvements.id'], name=op.f('fk_improvement_events_improvement_id_improvements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_events'))
    )
    with op.batch_alter_table('improvement_events', schema=None) as batch_op:
        batch_op.create_index('ix_improvement_events_improvement_id_at', ['improvement_id', 'at'], unique=False)



def downgrade():
    with op.batch_alter_table('improvement_events', schema=None) as batch_op:
        batch_op.drop_index('ix_improvement_events_improvement_id_at')

    op.drop_table('improvement_events')
    with op.batch_alter_table('improvements', schema=None) as batch_op:
        batch_op.drop_index('ix_improvements_status_due')
        batch_op.drop_index(batch_op.f('ix_improvements_owner_id'))
        batch_op.drop_index(batch_op.f('ix_improvements_audit_id'))

    op.drop_table('improvements')
    op.drop_table('audit_items')
    op.drop_table('audits')
