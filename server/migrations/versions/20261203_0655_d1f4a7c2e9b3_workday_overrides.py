"""workdays: the admins' table of working days and holidays

Revision ID: d1f4a7c2e9b3
Revises: b4d8f2a61c37
Create Date: 2026-12-03 06:55:00

One row per day an admin entered: a year the chinesecalendar package does not know yet (the State Council
publishes next year's schedule each November), or a correction. The package's own years need no rows.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1f4a7c2e9b3'
down_revision = 'b4d8f2a61c37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workday_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['members.id'], name=op.f('fk_workday_overrides_updated_by_id_members'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_workday_overrides'))
    )


def downgrade():
    op.drop_table('workday_overrides')
