"""members.token_version: revocable bearer tokens

Revision ID: 9c4e2b7d1a63
Revises: a7d3c91e4b52
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "9c4e2b7d1a63"
down_revision = "a7d3c91e4b52"
branch_labels = None
depends_on = None


def upgrade():
    # Existing tokens carry no version and count as 0, so nobody is signed out by the upgrade.
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False))


def downgrade():
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("token_version")
