"""benefits and care packs: campaigns (benefits) with their audience and options in stock, and the members'
claims (one live claim per member and campaign: a partial unique index on both databases)

Revision ID: dfad032e8985
Revises: fc2fcd7ce9b1
Create Date: 2026-12-03 15:03:40.352872

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dfad032e8985'
down_revision = 'fc2fcd7ce9b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('benefits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('season', sa.String(length=8), nullable=True),
    sa.Column('claim_opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeem_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('allow_workshop_delivery', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('redeem_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unclaimed_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unredeemed_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('seasonal', 'care_pack', 'other')", name=op.f('ck_benefits_kind_valid')),
    sa.CheckConstraint("season IN ('spring', 'summer', 'autumn', 'winter')", name=op.f('ck_benefits_season_valid')),
    sa.CheckConstraint("status IN ('published', 'cancelled')", name=op.f('ck_benefits_status_valid')),
    sa.CheckConstraint('claim_closes_at > claim_opens_at', name=op.f('ck_benefits_closes_after_opens')),
    sa.CheckConstraint('redeem_until >= claim_closes_at', name=op.f('ck_benefits_redeem_after_close')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_benefits_created_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefits'))
    )
    with op.batch_alter_table('benefits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefits_claim_closes_at'), ['claim_closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefits_redeem_until'), ['redeem_until'], unique=False)

    op.create_table('benefit_audiences',
    sa.Column('benefit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('department', 'grid', 'tag')", name=op.f('ck_benefit_audiences_kind_valid')),
    sa.ForeignKeyConstraint(['benefit_id'], ['benefits.id'], name=op.f('fk_benefit_audiences_benefit_id_benefits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('benefit_id', 'kind', 'ref_id', name=op.f('pk_benefit_audiences'))
    )
    op.create_table('benefit_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('benefit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.Column('claimed', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('claimed >= 0 AND (stock IS NULL OR claimed <= stock)', name=op.f('ck_benefit_options_not_oversold')),
    sa.CheckConstraint('stock IS NULL OR stock >= 0', name=op.f('ck_benefit_options_stock_not_negative')),
    sa.ForeignKeyConstraint(['benefit_id'], ['benefits.id'], name=op.f('fk_benefit_options_benefit_id_benefits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_options'))
    )
    with op.batch_alter_table('benefit_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_options_benefit_id'), ['benefit_id'], unique=False)

    op.create_table('benefit_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('benefit_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('redeemed_by', sa.Integer(), nullable=True),
    sa.Column('redeemed_via', sa.String(length=10), nullable=True),
    sa.Column('delegate_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'redeemed') = (redeemed_at IS NOT NULL)", name=op.f('ck_benefit_claims_redeemed_iff_time')),
    sa.CheckConstraint("delivery IN ('pickup', 'workshop')", name=op.f('ck_benefit_claims_delivery_valid')),
    sa.CheckConstraint("redeemed_via <> 'delegate' OR delegate_id IS NOT NULL", name=op.f('ck_benefit_claims_delegate_named')),
    sa.CheckConstraint("redeemed_via IN ('staff', 'delegate')", name=op.f('ck_benefit_claims_redeemed_via_valid')),
    sa.CheckConstraint("status IN ('claimed', 'redeemed', 'cancelled')", name=op.f('ck_benefit_claims_status_valid')),
    sa.ForeignKeyConstraint(['benefit_id'], ['benefits.id'], name=op.f('fk_benefit_claims_benefit_id_benefits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delegate_id'], ['members.id'], name=op.f('fk_benefit_claims_delegate_id_members')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_benefit_claims_member_id_members')),
    sa.ForeignKeyConstraint(['option_id'], ['benefit_options.id'], name=op.f('fk_benefit_claims_option_id_benefit_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['redeemed_by'], ['members.id'], name=op.f('fk_benefit_claims_redeemed_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_claims'))
    )
    with op.batch_alter_table('benefit_claims', schema=None) as batch_op:
        batch_op.create_index('ix_benefit_claims_benefit_status', ['benefit_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_claims_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_claims_option_id'), ['option_id'], unique=False)
        batch_op.create_index('uq_benefit_claims_live', ['benefit_id', 'member_id'], unique=True, postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))



def downgrade():
    with op.batch_alter_table('benefit_claims', schema=None) as batch_op:
        batch_op.drop_index('uq_benefit_claims_live', postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_benefit_claims_option_id'))
        batch_op.drop_index(batch_op.f('ix_benefit_claims_member_id'))
        batch_op.drop_index('ix_benefit_claims_benefit_status')

    op.drop_table('benefit_claims')
    with op.batch_alter_table('benefit_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_options_benefit_id'))

    op.drop_table('benefit_options')
    op.drop_table('benefit_audiences')
    with op.batch_alter_table('benefits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefits_redeem_until'))
        batch_op.drop_index(batch_op.f('ix_benefits_claim_closes_at'))

    op.drop_table('benefits')
