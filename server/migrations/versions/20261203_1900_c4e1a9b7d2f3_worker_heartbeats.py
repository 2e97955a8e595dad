"""worker heartbeats: one row per delivery worker process (host:pid), written from its loop, so /metrics and
/healthz/details can tell a live worker from a stale one (docs/operations.md)

Revision ID: c4e1a9b7d2f3
Revises: b7dfa218a4b4
Create Date: 2026-12-03 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e1a9b7d2f3'
down_revision = 'b7dfa218a4b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeats',
    sa.Column('worker_id', sa.String(length=100), nullable=False),
    sa.Column('host', sa.String(length=100), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_heartbeats'))
    )


def downgrade():
    op.drop_table('worker_heartbeats')
