"""volunteer hours: check-outs of volunteer events, staff adjustments with their reason, leaderboard opt-outs

Revision ID: a7c3e9d41b05
Revises: dd071e988d73
Create Date: 2026-12-03 15:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e9d41b05'
down_revision = 'dd071e988d73'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('volunteer_checkouts',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes >= 0', name=op.f('ck_volunteer_checkouts_minutes_not_negative')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_volunteer_checkouts_checkin_id_checkins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_volunteer_checkouts_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_volunteer_checkouts_member_id_members')),
    sa.PrimaryKeyConstraint('event_id', 'member_id', name=op.f('pk_volunteer_checkouts')),
    sa.UniqueConstraint('checkin_id', name=op.f('uq_volunteer_checkouts_checkin_id'))
    )
    op.create_index(op.f('ix_volunteer_checkouts_member_id'), 'volunteer_checkouts', ['member_id'], unique=False)
    op.create_table('volunteer_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('counts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes <> 0 AND minutes BETWEEN -60000 AND 60000', name=op.f('ck_volunteer_adjustments_minutes_in_range')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_volunteer_adjustments_created_by_members')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_volunteer_adjustments_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_volunteer_adjustments_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_adjustments'))
    )
    op.create_index(op.f('ix_volunteer_adjustments_event_id'), 'volunteer_adjustments', ['event_id'], unique=False)
    op.create_index('ix_volunteer_adjustments_member_counts_at', 'volunteer_adjustments', ['member_id', 'counts_at'], unique=False)
    op.create_table('volunteer_opt_outs',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_volunteer_opt_outs_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_volunteer_opt_outs'))
    )


def downgrade():
    op.drop_table('volunteer_opt_outs')
    op.drop_index('ix_volunteer_adjustments_member_counts_at', table_name='volunteer_adjustments')
    op.drop_index(op.f('ix_volunteer_adjustments_event_id'), table_name='volunteer_adjustments')
    op.drop_table('volunteer_adjustments')
    op.drop_index(op.f('ix_volunteer_checkouts_member_id'), table_name='volunteer_checkouts')
    op.drop_table('volunteer_checkouts')
