"""suggestions: held writes filed in shuffled batches; the daily counter leaves the database

Revision ID: a7c3e9d2f418
Revises: 9c3e5a7d2b41
Create Date: 2026-12-02 14:30:00

The daily limit now lives in the rate limiter's expiring counters, so suggestion_daily_counts goes;
its rows only limited today's submissions, so nothing is carried over (a member may submit up to the
limit again on the day of the upgrade).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d2f418'
down_revision = "9c3e5a7d2b41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion_held_writes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_held_writes'))
    )
    with op.batch_alter_table('suggestion_held_writes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_held_writes_tag'), ['tag'], unique=False)

    with op.batch_alter_table('suggestion_daily_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_daily_counts_day'))
    op.drop_table('suggestion_daily_counts')


def downgrade():
    # Held writes cannot go back into a schema without them: file them first (flask suggestions file).
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM suggestion_held_writes")).scalar():
        raise RuntimeError("suggestion_held_writes is not empty: run `flask suggestions file --now` first")
    op.create_table('suggestion_daily_counts',
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tag', name=op.f('pk_suggestion_daily_counts'))
    )
    with op.batch_alter_table('suggestion_daily_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_daily_counts_day'), ['day'], unique=False)

    with op.batch_alter_table('suggestion_held_writes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_held_writes_tag'))
    op.drop_table('suggestion_held_writes')
