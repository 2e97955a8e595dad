"""surveys: questions, audiences, option tags (the needs profile), the "has answered" record, responses and
answers, held anonymous responses; notices.source "survey" (reminders to those who have not answered)

Revision ID: a4d7e2c9b815
Revises: 7c4d2e9a1b58
Create Date: 2026-12-03 08:00:39.489428

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4d7e2c9b815'
down_revision = '7c4d2e9a1b58'
branch_labels = None
depends_on = None

SOURCES_BEFORE = ("staff", "reminder", "waitlist", "event_change", "booking_change", "system", "request", "vote")
SOURCES_AFTER = SOURCES_BEFORE + ("survey",)


def _sources(batch_op, sources):
    batch_op.drop_constraint(batch_op.f("ck_notices_source_valid"), type_="check")
    batch_op.create_check_constraint(batch_op.f("ck_notices_source_valid"),
                                     "source IN ('" + "', '".join(sources) + "')")


def upgrade():
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'scheduled', 'closed')", name=op.f('ck_surveys_status_valid')),
    sa.CheckConstraint('opens_at < closes_at', name=op.f('ck_surveys_opens_before_closes')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_surveys_created_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index('ix_surveys_status_closes', ['status', 'closes_at'], unique=False)

    op.create_table('survey_audiences',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('department', 'grid', 'tag')", name=op.f('ck_survey_audiences_kind_valid')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_audiences_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'kind', 'ref_id', name=op.f('pk_survey_audiences'))
    )
    op.create_table('survey_held_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_held_responses_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_held_responses'))
    )
    with op.batch_alter_table('survey_held_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_held_responses_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_participations',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_survey_participations_member_id_members')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_participations_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'member_id', name=op.f('pk_survey_participations'))
    )
    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'scale', 'text')", name=op.f('ck_survey_questions_kind_valid')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_questions_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions')),
    sa.UniqueConstraint('survey_id', 'position', name=op.f('uq_survey_questions_survey_id_position'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('grid', sa.String(length=100), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_survey_responses_member_id_members')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_responses_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('value IS NULL OR value BETWEEN 1 AND 5', name=op.f('ck_survey_answers_value_in_scale')),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_answers_question_id_survey_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_answers_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', 'item', name=op.f('pk_survey_answers'))
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answers_question', ['survey_id', 'question_id', 'item'], unique=False)

    op.create_table('survey_option_tags',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option_index', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_option_tags_question_id_survey_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_survey_option_tags_tag_id_tags')),
    sa.PrimaryKeyConstraint('question_id', 'option_index', name=op.f('pk_survey_option_tags'))
    )

    with op.batch_alter_table("notices", schema=None) as batch_op:
        _sources(batch_op, SOURCES_AFTER)


def downgrade():
    op.execute("UPDATE notices SET source = 'reminder' WHERE source = 'survey'")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        _sources(batch_op, SOURCES_BEFORE)
    op.drop_table('survey_option_tags')
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answers_question')

    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_responses_member_id'))

    op.drop_table('survey_responses')
    op.drop_table('survey_questions')
    op.drop_table('survey_participations')
    with op.batch_alter_table('survey_held_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_held_responses_survey_id'))

    op.drop_table('survey_held_responses')
    op.drop_table('survey_audiences')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_status_closes')

    op.drop_table('surveys')
