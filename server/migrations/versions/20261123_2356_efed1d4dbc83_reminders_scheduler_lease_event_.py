"""reminders, scheduler lease, event reminder times

Revision ID: efed1d4dbc83
Revises: ea448e5ef2dd
Create Date: 2026-11-23 23:56:18.135912

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'efed1d4dbc83'
down_revision = 'ea448e5ef2dd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('offset_minutes', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('event', 'booking')", name=op.f('ck_reminders_kind_valid')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'missed')", name=op.f('ck_reminders_status_valid')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_reminders_notice_id_notices'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('kind', 'target_id', 'offset_minutes', 'due_at', name=op.f('uq_reminders_kind_target_id_offset_minutes_due_at'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_reminders_target', ['kind', 'target_id'], unique=False)

    # Existing events get the default reminder times, then the column has no default (the model sets it).
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_minutes', sa.JSON(), nullable=False, server_default='[1440, 120]'))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('reminder_minutes', server_default=None)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('reminder_minutes')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_target')
        batch_op.drop_index('ix_reminders_due')

    op.drop_table('reminders')
    op.drop_table('scheduler_leases')
