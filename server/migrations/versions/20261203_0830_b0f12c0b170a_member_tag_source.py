"""members: where a member's tag came from (roster or survey), so a roster import keeps the needs profile

Revision ID: b0f12c0b170a
Revises: a4d7e2c9b815
Create Date: 2026-12-03 08:19:22

A roster import replaces a member's tags with the file's; tags that an identified survey added (the needs
profile) are now marked ``survey`` and left alone by it. Tags already added by surveys are marked as such.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b0f12c0b170a'
down_revision = 'a4d7e2c9b815'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member_tags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), server_default='roster', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_member_tags_source_valid'), "source IN ('roster', 'survey')")
    # Tags a member holds because of an identified survey's answer are the survey's.
    op.execute("""
        UPDATE member_tags SET source = 'survey'
        WHERE EXISTS (
            SELECT 1 FROM survey_responses r
            JOIN survey_answers a ON a.response_id = r.id
            JOIN survey_option_tags t ON t.question_id = a.question_id AND t.option_index = a.item
            WHERE r.member_id = member_tags.member_id AND t.tag_id = member_tags.tag_id
              AND a.value IS NULL AND a.text IS NULL)
    """)


def downgrade():
    with op.batch_alter_table('member_tags', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_member_tags_source_valid'), type_='check')
        batch_op.drop_column('source')
