"""members: the phone access log

Revision ID: b4d8f2a61c37
Revises: c5e8a1f3b2d7
Create Date: 2026-12-02 19:00:00

phone_accesses records every answer that carried a member's full phone number to staff. Its indexes
serve the admins' reading of it: newest first, by member, by viewer. (Member search needs no new index:
docs/members.md, "Members for staff".)
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d8f2a61c37'
down_revision = 'c5e8a1f3b2d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('phone_accesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('viewer_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('route', sa.String(length=100), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_phone_accesses_member_id_members')),
    sa.ForeignKeyConstraint(['viewer_id'], ['members.id'], name=op.f('fk_phone_accesses_viewer_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_accesses'))
    )
    with op.batch_alter_table('phone_accesses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_accesses_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_accesses_viewer_id'), ['viewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_accesses_viewed_at'), ['viewed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('phone_accesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_accesses_viewed_at'))
        batch_op.drop_index(batch_op.f('ix_phone_accesses_viewer_id'))
        batch_op.drop_index(batch_op.f('ix_phone_accesses_member_id'))
    op.drop_table('phone_accesses')
