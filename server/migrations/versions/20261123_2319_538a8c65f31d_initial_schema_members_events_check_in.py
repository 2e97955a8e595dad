"""initial schema: members, events, check-in

Revision ID: 538a8c65f31d
Revises: 
Create Date: 2026-11-23 23:19:54.725193

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '538a8c65f31d'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('name', name=op.f('uq_departments_name'))
    )
    op.create_table('grids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grids')),
    sa.UniqueConstraint('name', name=op.f('uq_grids_name'))
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_members_department_id_departments')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_members_grid_id_grids')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('employee_no', name=op.f('uq_members_employee_no')),
    sa.UniqueConstraint('phone', name=op.f('uq_members_phone'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_members_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_grid_id'), ['grid_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signup_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signup_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('waitlist', sa.Boolean(), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('checkin_opens_minutes_before', sa.Integer(), nullable=False),
    sa.Column('checkin_closes_minutes_after', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('confirmed_count', sa.Integer(), nullable=False),
    sa.Column('waitlist_count', sa.Integer(), nullable=False),
    sa.Column('waitlist_seq', sa.Integer(), nullable=False),
    sa.Column('ticket_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('activity', 'training', 'health_check', 'lecture', 'volunteer', 'meeting', 'other')", name=op.f('ck_events_kind_valid')),
    sa.CheckConstraint("status IN ('published', 'cancelled')", name=op.f('ck_events_status_valid')),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_events_capacity_not_negative')),
    sa.CheckConstraint('capacity IS NULL OR confirmed_count <= capacity', name=op.f('ck_events_not_overbooked')),
    sa.CheckConstraint('confirmed_count >= 0 AND waitlist_count >= 0', name=op.f('ck_events_counts_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_events_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_events_created_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)

    op.create_table('member_tags',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_tags_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_member_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'tag_id', name=op.f('pk_member_tags'))
    )
    with op.batch_alter_table('member_tags', schema=None) as batch_op:
        batch_op.create_index('ix_member_tags_tag_id', ['tag_id'], unique=False)

    op.create_table('wechat_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('unionid', sa.String(length=64), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('bound_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_wechat_users_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_users')),
    sa.UniqueConstraint('member_id', name=op.f('uq_wechat_users_member_id')),
    sa.UniqueConstraint('openid', name=op.f('uq_wechat_users_openid'))
    )
    op.create_table('event_audiences',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('department', 'grid', 'tag')", name=op.f('ck_event_audiences_kind_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_audiences_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'kind', 'ref_id', name=op.f('pk_event_audiences'))
    )
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('waitlist_seq', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'waitlisted') = (waitlist_seq IS NOT NULL)", name=op.f('ck_registrations_seq_iff_waitlisted')),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name=op.f('ck_registrations_status_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_registrations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_registrations_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('event_id', 'member_id', name=op.f('uq_registrations_event_id_member_id'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_status_seq', ['event_id', 'status', 'waitlist_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_member_id'), ['member_id'], unique=False)

    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('is_walk_in', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('code', 'ticket')", name=op.f('ck_checkins_method_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkins_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_checkins_member_id_members')),
    sa.ForeignKeyConstraint(['recorded_by'], ['members.id'], name=op.f('fk_checkins_recorded_by_members')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_checkins_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('event_id', 'member_id', name=op.f('uq_checkins_event_id_member_id'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_member_id'), ['member_id'], unique=False)



def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_member_id'))

    op.drop_table('checkins')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_member_id'))
        batch_op.drop_index('ix_registrations_event_status_seq')

    op.drop_table('registrations')
    op.drop_table('event_audiences')
    op.drop_table('wechat_users')
    with op.batch_alter_table('member_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_member_tags_tag_id')

    op.drop_table('member_tags')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))

    op.drop_table('events')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_grid_id'))
        batch_op.drop_index(batch_op.f('ix_members_department_id'))

    op.drop_table('members')
    op.drop_table('tags')
    op.drop_table('grids')
    op.drop_table('departments')
