"""effectiveness reports archive: each generated report (one row per period: the unique key keeps a second
scheduler's run a no-op) with its figures as JSON and the PDF sent to the committee

Revision ID: b7dfa218a4b4
Revises: dfad032e8985
Create Date: 2026-12-03 17:57:54.806381

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7dfa218a4b4'
down_revision = 'dfad032e8985'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('effectiveness_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('generated_by', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("origin IN ('scheduler', 'command')", name=op.f('ck_effectiveness_reports_origin_valid')),
    sa.ForeignKeyConstraint(['generated_by'], ['members.id'], name=op.f('fk_effectiveness_reports_generated_by_members')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_effectiveness_reports_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_effectiveness_reports')),
    sa.UniqueConstraint('period', name=op.f('uq_effectiveness_reports_period'))
    )


def downgrade():
    op.drop_table('effectiveness_reports')
