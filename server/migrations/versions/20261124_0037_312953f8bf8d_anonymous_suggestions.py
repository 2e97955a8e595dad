"""anonymous suggestions

Revision ID: 312953f8bf8d
Revises: 37169697133b
Create Date: 2026-11-24 00:37:32.163399

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '312953f8bf8d'
down_revision = '37169697133b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion_daily_counts',
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tag', name=op.f('pk_suggestion_daily_counts'))
    )
    with op.batch_alter_table('suggestion_daily_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_daily_counts_day'), ['day'], unique=False)

    op.create_table('suggestions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('lookup_tag', sa.String(length=64), nullable=False),
    sa.Column('receipt_hash', sa.String(length=200), nullable=False),
    sa.CheckConstraint("category IN ('workplace_safety', 'pay_benefits', 'canteen_facilities', 'management', 'training_career', 'other')", name=op.f('ck_suggestions_category_valid')),
    sa.CheckConstraint("status IN ('new', 'in_progress', 'answered', 'closed')", name=op.f('ck_suggestions_status_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions')),
    sa.UniqueConstraint('lookup_tag', name=op.f('uq_suggestions_lookup_tag'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestions_submitted_on'), ['submitted_on'], unique=False)

    op.create_table('suggestion_messages',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('suggestion_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("author IN ('staff', 'submitter')", name=op.f('ck_suggestion_messages_author_valid')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_suggestion_messages_suggestion_id_suggestions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_messages')),
    sa.UniqueConstraint('suggestion_id', 'seq', name=op.f('uq_suggestion_messages_suggestion_id_seq'))
    )
    with op.batch_alter_table('suggestion_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_messages_suggestion_id'), ['suggestion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('suggestion_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_messages_suggestion_id'))

    op.drop_table('suggestion_messages')
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestions_submitted_on'))

    op.drop_table('suggestions')
    with op.batch_alter_table('suggestion_daily_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_daily_counts_day'))

    op.drop_table('suggestion_daily_counts')
