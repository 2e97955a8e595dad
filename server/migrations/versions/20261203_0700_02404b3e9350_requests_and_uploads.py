"""requests: members' requests, their timeline, liaisons' extra grids, confidential reads; uploads

Revision ID: 02404b3e9350
Revises: d1f4a7c2e9b3
Create Date: 2026-12-03 07:00:00

Clocks are stored per request at creation, so the escalation pass scans (status, first_response_due_at)
and the liaison's queue (grid_id, status, first_response_due_at) without calendar arithmetic per row.
Uploads have random ids (they appear in URLs) and are attached to a domain's object once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '02404b3e9350'
down_revision = 'd1f4a7c2e9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('liaison_grids',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['members.id'], name=op.f('fk_liaison_grids_added_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_liaison_grids_grid_id_grids'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_liaison_grids_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'grid_id', name=op.f('pk_liaison_grids'))
    )
    with op.batch_alter_table('liaison_grids', schema=None) as batch_op:
        batch_op.create_index('ix_liaison_grids_grid_id', ['grid_id'], unique=False)

    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolve_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
    sa.Column('escalation_level', sa.SmallInteger(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.SmallInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('rights', 'hardship', 'welfare', 'training', 'canteen', 'workplace', 'other')", name=op.f('ck_requests_category_valid')),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'resolved', 'closed', 'reopened')", name=op.f('ck_requests_status_valid')),
    sa.CheckConstraint('escalation_level BETWEEN 0 AND 2', name=op.f('ck_requests_escalation_level_range')),
    sa.CheckConstraint('satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5', name=op.f('ck_requests_satisfaction_range')),
    sa.ForeignKeyConstraint(['assignee_id'], ['members.id'], name=op.f('fk_requests_assignee_id_members')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_requests_grid_id_grids')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_requests_member_id_members')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['members.id'], name=op.f('fk_requests_raised_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests'))
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requests_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_requests_grid_status_due', ['grid_id', 'status', 'first_response_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_requests_status_due', ['status', 'first_response_due_at'], unique=False)

    op.create_table('uploads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attached_kind', sa.String(length=20), nullable=True),
    sa.Column('attached_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name=op.f('fk_uploads_owner_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_uploads_storage_key'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index('ix_uploads_attached', ['attached_kind', 'attached_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_owner_id'), ['owner_id'], unique=False)

    op.create_table('request_confidential_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('viewer_id', sa.Integer(), nullable=False),
    sa.Column('route', sa.String(length=100), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_confidential_reads_request_id_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['viewer_id'], ['members.id'], name=op.f('fk_request_confidential_reads_viewer_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_confidential_reads'))
    )
    with op.batch_alter_table('request_confidential_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_confidential_reads_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_confidential_reads_viewed_at'), ['viewed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_confidential_reads_viewer_id'), ['viewer_id'], unique=False)

    op.create_table('request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.CheckConstraint("action IN ('created', 'accepted', 'message', 'note', 'assigned', 'resolved', 'confirmed', 'reopened', 'warned', 'escalated')", name=op.f('ck_request_events_action_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_request_events_actor_id_members')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_events_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_events'))
    )
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.create_index('ix_request_events_request_id_at', ['request_id', 'at'], unique=False)



def downgrade():
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.drop_index('ix_request_events_request_id_at')

    op.drop_table('request_events')
    with op.batch_alter_table('request_confidential_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_confidential_reads_viewer_id'))
        batch_op.drop_index(batch_op.f('ix_request_confidential_reads_viewed_at'))
        batch_op.drop_index(batch_op.f('ix_request_confidential_reads_request_id'))

    op.drop_table('request_confidential_reads')
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_owner_id'))
        batch_op.drop_index('ix_uploads_attached')

    op.drop_table('uploads')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_status_due')
        batch_op.drop_index(batch_op.f('ix_requests_member_id'))
        batch_op.drop_index('ix_requests_grid_status_due')
        batch_op.drop_index(batch_op.f('ix_requests_created_at'))
        batch_op.drop_index(batch_op.f('ix_requests_assignee_id'))

    op.drop_table('requests')
    with op.batch_alter_table('liaison_grids', schema=None) as batch_op:
        batch_op.drop_index('ix_liaison_grids_grid_id')

    op.drop_table('liaison_grids')
