"""Congress proposals: sessions, proposals, co-signers, the timeline, department heads' links; notices.source
"proposal"

Revision ID: 5e1a7c3d9b20
Revises: b0f12c0b170a
Create Date: 2026-12-03 08:33:13.058961

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c3d9b20'
down_revision = 'b0f12c0b170a'
branch_labels = None
depends_on = None

SOURCES_BEFORE = ("staff", "reminder", "waitlist", "event_change", "booking_change", "system", "request", "vote",
                  "survey")
SOURCES_AFTER = SOURCES_BEFORE + ("proposal",)


def _sources(sources):
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"),
                                         "source IN ('" + "', '".join(sources) + "')")


def upgrade():
    op.create_table('congress_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('min_cosigners', sa.SmallInteger(), nullable=False),
    sa.Column('assignment_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assignment_warn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_cosigners BETWEEN 0 AND 100', name=op.f('ck_congress_sessions_min_cosigners_range')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_congress_sessions_created_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_sessions'))
    )
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('solution', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('assignment_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assignment_warn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lead_department', sa.String(length=100), nullable=True),
    sa.Column('co_departments', sa.JSON(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report', sa.Text(), nullable=True),
    sa.Column('grade', sa.String(length=1), nullable=True),
    sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
    sa.Column('assign_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assign_escalation', sa.SmallInteger(), nullable=False),
    sa.Column('assign_escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("grade IN ('A', 'B', 'C')", name=op.f('ck_proposals_grade_valid')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'accepted', 'opinion', 'rejected', 'assigned', 'in_progress', 'completed')", name=op.f('ck_proposals_status_valid')),
    sa.CheckConstraint('assign_escalation BETWEEN 0 AND 2', name=op.f('ck_proposals_assign_escalation_range')),
    sa.CheckConstraint('satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5', name=op.f('ck_proposals_satisfaction_range')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_proposals_member_id_members')),
    sa.ForeignKeyConstraint(['session_id'], ['congress_sessions.id'], name=op.f('fk_proposals_session_id_congress_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_proposals_status_assignment_due', ['status', 'assignment_due_at'], unique=False)
        batch_op.create_index('ix_proposals_status_due', ['status', 'due_at'], unique=False)

    op.create_table('proposal_cosigners',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_proposal_cosigners_member_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_cosigners_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'member_id', name=op.f('pk_proposal_cosigners'))
    )
    with op.batch_alter_table('proposal_cosigners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_cosigners_member_id'), ['member_id'], unique=False)

    op.create_table('proposal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('images', sa.JSON(), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.CheckConstraint("action IN ('created', 'cosigned', 'cosign_withdrawn', 'submitted', 'accepted', 'opinion', 'rejected', 'assigned', 'update', 'answered', 'completed', 'rated', 'head_link', 'warned', 'escalated')", name=op.f('ck_proposal_events_action_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_proposal_events_actor_id_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_events'))
    )
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_events_proposal_id_at', ['proposal_id', 'at'], unique=False)

    op.create_table('proposal_head_links',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_proposal_head_links_created_by_members')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_head_links_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_head_links'))
    )
    with op.batch_alter_table('proposal_head_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_head_links_proposal_id'), ['proposal_id'], unique=False)

    _sources(SOURCES_AFTER)


def downgrade():
    op.execute("UPDATE notices SET source = 'system' WHERE source = 'proposal'")
    _sources(SOURCES_BEFORE)
    with op.batch_alter_table('proposal_head_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_head_links_proposal_id'))

    op.drop_table('proposal_head_links')
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_events_proposal_id_at')

    op.drop_table('proposal_events')
    with op.batch_alter_table('proposal_cosigners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_cosigners_member_id'))

    op.drop_table('proposal_cosigners')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_status_due')
        batch_op.drop_index('ix_proposals_status_assignment_due')
        batch_op.drop_index(batch_op.f('ix_proposals_session_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_member_id'))

    op.drop_table('proposals')
    op.drop_table('congress_sessions')
