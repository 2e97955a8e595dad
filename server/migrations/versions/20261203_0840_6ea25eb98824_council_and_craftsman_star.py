"""the worker council (representatives per department, monthly topics, ideas, one support each, selection and
answer) and the craftsman star (rounds, committee, nominations, reviews, winners); notices.source "council" and
"craftsman"

Revision ID: 6ea25eb98824
Revises: 5e1a7c3d9b20
Create Date: 2026-12-03 08:39:23.762544

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6ea25eb98824'
down_revision = '5e1a7c3d9b20'
branch_labels = None
depends_on = None

SOURCES_BEFORE = ("staff", "reminder", "waitlist", "event_change", "booking_change", "system", "request", "vote",
                  "survey", "proposal")
SOURCES_AFTER = SOURCES_BEFORE + ("council", "craftsman")


def _sources(batch_op, sources):
    batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
    batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"),
                                     "source IN ('" + "', '".join(sources) + "')")


def upgrade():
    op.create_table('council_representatives',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('appointed_by', sa.Integer(), nullable=True),
    sa.Column('appointed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointed_by'], ['members.id'], name=op.f('fk_council_representatives_appointed_by_members')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_council_representatives_department_id_departments')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_council_representatives_member_id_members')),
    sa.PrimaryKeyConstraint('department_id', name=op.f('pk_council_representatives'))
    )
    with op.batch_alter_table('council_representatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_representatives_member_id'), ['member_id'], unique=False)

    op.create_table('council_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_council_topics_created_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_topics')),
    sa.UniqueConstraint('month', name=op.f('uq_council_topics_month'))
    )
    op.create_table('council_ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('selected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('selected_by', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('submitted', 'selected', 'answered')", name=op.f('ck_council_ideas_status_valid')),
    sa.ForeignKeyConstraint(['answered_by'], ['members.id'], name=op.f('fk_council_ideas_answered_by_members')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_council_ideas_author_id_members')),
    sa.ForeignKeyConstraint(['selected_by'], ['members.id'], name=op.f('fk_council_ideas_selected_by_members')),
    sa.ForeignKeyConstraint(['topic_id'], ['council_topics.id'], name=op.f('fk_council_ideas_topic_id_council_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_ideas'))
    )
    with op.batch_alter_table('council_ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_ideas_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_ideas_topic_id'), ['topic_id'], unique=False)

    op.create_table('craftsman_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('nomination_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vote_opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vote_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('winners', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'voting', 'published')", name=op.f('ck_craftsman_rounds_status_valid')),
    sa.CheckConstraint('review_closes_at >= nomination_closes_at AND vote_opens_at >= review_closes_at AND vote_closes_at > vote_opens_at', name=op.f('ck_craftsman_rounds_times_in_order')),
    sa.CheckConstraint('winners BETWEEN 3 AND 5', name=op.f('ck_craftsman_rounds_winners_3_to_5')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_craftsman_rounds_created_by_members')),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_craftsman_rounds_vote_id_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_craftsman_rounds')),
    sa.UniqueConstraint('year', name=op.f('uq_craftsman_rounds_year'))
    )
    op.create_table('council_supports',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['council_ideas.id'], name=op.f('fk_council_supports_idea_id_council_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_council_supports_member_id_members')),
    sa.PrimaryKeyConstraint('idea_id', 'member_id', name=op.f('pk_council_supports'))
    )
    with op.batch_alter_table('council_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_supports_member_id'), ['member_id'], unique=False)

    op.create_table('craftsman_committee',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_craftsman_committee_member_id_members')),
    sa.ForeignKeyConstraint(['round_id'], ['craftsman_rounds.id'], name=op.f('fk_craftsman_committee_round_id_craftsman_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'member_id', name=op.f('pk_craftsman_committee'))
    )
    with op.batch_alter_table('craftsman_committee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_craftsman_committee_member_id'), ['member_id'], unique=False)

    op.create_table('craftsman_nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.Column('nominated_by', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['vote_candidates.id'], name=op.f('fk_craftsman_nominations_candidate_id_vote_candidates')),
    sa.ForeignKeyConstraint(['nominated_by'], ['members.id'], name=op.f('fk_craftsman_nominations_nominated_by_members')),
    sa.ForeignKeyConstraint(['nominee_id'], ['members.id'], name=op.f('fk_craftsman_nominations_nominee_id_members')),
    sa.ForeignKeyConstraint(['round_id'], ['craftsman_rounds.id'], name=op.f('fk_craftsman_nominations_round_id_craftsman_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_craftsman_nominations')),
    sa.UniqueConstraint('round_id', 'nominee_id', name=op.f('uq_craftsman_nominations_round_id_nominee_id'))
    )
    with op.batch_alter_table('craftsman_nominations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_craftsman_nominations_round_id'), ['round_id'], unique=False)

    op.create_table('craftsman_reviews',
    sa.Column('nomination_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('approve', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_craftsman_reviews_member_id_members')),
    sa.ForeignKeyConstraint(['nomination_id'], ['craftsman_nominations.id'], name=op.f('fk_craftsman_reviews_nomination_id_craftsman_nominations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nomination_id', 'member_id', name=op.f('pk_craftsman_reviews'))
    )
    op.create_table('craftsman_winners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['nomination_id'], ['craftsman_nominations.id'], name=op.f('fk_craftsman_winners_nomination_id_craftsman_nominations')),
    sa.ForeignKeyConstraint(['round_id'], ['craftsman_rounds.id'], name=op.f('fk_craftsman_winners_round_id_craftsman_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_craftsman_winners')),
    sa.UniqueConstraint('nomination_id', name=op.f('uq_craftsman_winners_nomination_id')),
    sa.UniqueConstraint('round_id', 'rank', name=op.f('uq_craftsman_winners_round_id_rank'))
    )
    with op.batch_alter_table('craftsman_winners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_craftsman_winners_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table("notices", schema=None) as batch_op:
        _sources(batch_op, SOURCES_AFTER)


def downgrade():
    # Their notices become "system" ones: the CHECK below no longer admits the two sources.
    op.execute("UPDATE notices SET source = 'system' WHERE source IN ('council', 'craftsman')")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        _sources(batch_op, SOURCES_BEFORE)
    with op.batch_alter_table('craftsman_winners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_craftsman_winners_round_id'))

    op.drop_table('craftsman_winners')
    op.drop_table('craftsman_reviews')
    with op.batch_alter_table('craftsman_nominations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_craftsman_nominations_round_id'))

    op.drop_table('craftsman_nominations')
    with op.batch_alter_table('craftsman_committee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_craftsman_committee_member_id'))

    op.drop_table('craftsman_committee')
    with op.batch_alter_table('council_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_supports_member_id'))

    op.drop_table('council_supports')
    op.drop_table('craftsman_rounds')
    with op.batch_alter_table('council_ideas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_ideas_topic_id'))
        batch_op.drop_index(batch_op.f('ix_council_ideas_author_id'))

    op.drop_table('council_ideas')
    op.drop_table('council_topics')
    with op.batch_alter_table('council_representatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_representatives_member_id'))

    op.drop_table('council_representatives')
