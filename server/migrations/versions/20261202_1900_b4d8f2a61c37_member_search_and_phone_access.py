"""members: trigram search indexes and the phone access log

Revision ID: b4d8f2a61c37
Revises: a7c3e9d2f418
Create Date: 2026-12-02 19:00:00

Staff search matches any part of a name, employee number or phone; on PostgreSQL that is served by
trigram GIN indexes (pg_trgm, a trusted extension the database owner may create). phone_accesses
records every answer that carried a member's full phone number.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d8f2a61c37'
down_revision = 'a7c3e9d2f418'
branch_labels = None
depends_on = None

SEARCHED = ("name", "employee_no", "phone")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
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
    with op.batch_alter_table('members', schema=None) as batch_op:
        for c in SEARCHED:
            batch_op.create_index(f'ix_members_{c}_trgm', [c], unique=False, postgresql_using='gin',
                                  postgresql_ops={c: 'public.gin_trgm_ops'})


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        for c in SEARCHED:
            batch_op.drop_index(f'ix_members_{c}_trgm')
    with op.batch_alter_table('phone_accesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_accesses_viewed_at'))
        batch_op.drop_index(batch_op.f('ix_phone_accesses_viewer_id'))
        batch_op.drop_index(batch_op.f('ix_phone_accesses_member_id'))
    op.drop_table('phone_accesses')
    # pg_trgm stays: other objects of the database may use it.
