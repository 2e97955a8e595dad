"""slot booking: calendars, their audiences, slots and bookings

Revision ID: d8d514f62f70
Revises: efed1d4dbc83
Create Date: 2026-11-24 00:09:08.498578

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8d514f62f70'
down_revision = 'efed1d4dbc83'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=100), nullable=True),
    sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('max_active_per_member', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('health_check', 'reception_day', 'legal_clinic')", name=op.f('ck_calendars_kind_valid')),
    sa.CheckConstraint('cancel_cutoff_hours >= 0', name=op.f('ck_calendars_cutoff_not_negative')),
    sa.CheckConstraint('max_active_per_member >= 1', name=op.f('ck_calendars_limit_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_calendars_created_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendars'))
    )
    op.create_table('calendar_audiences',
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('department', 'grid', 'tag')", name=op.f('ck_calendar_audiences_kind_valid')),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_calendar_audiences_calendar_id_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('calendar_id', 'kind', 'ref_id', name=op.f('pk_calendar_audiences'))
    )
    op.create_table('slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'cancelled')", name=op.f('ck_slots_status_valid')),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_slots_not_overbooked')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_slots_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_slots_ends_after_start')),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_slots_calendar_id_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slots'))
    )
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.create_index('ix_slots_calendar_starts', ['calendar_id', 'starts_at'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('topic', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('booked', 'cancelled')", name=op.f('ck_bookings_status_valid')),
    sa.ForeignKeyConstraint(['cancelled_by'], ['members.id'], name=op.f('fk_bookings_cancelled_by_members')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_bookings_member_id_members')),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], name=op.f('fk_bookings_slot_id_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_member_status', ['member_id', 'status'], unique=False)
        batch_op.create_index('ix_bookings_slot_status', ['slot_id', 'status'], unique=False)
        batch_op.create_index('uq_bookings_active_slot_member', ['slot_id', 'member_id'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))



def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_active_slot_member')
        batch_op.drop_index('ix_bookings_slot_status')
        batch_op.drop_index('ix_bookings_member_status')

    op.drop_table('bookings')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index('ix_slots_calendar_starts')

    op.drop_table('slots')
    op.drop_table('calendar_audiences')
    op.drop_table('calendars')
