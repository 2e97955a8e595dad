"""requests: weekly digests sent, the quarterly service plan

Revision ID: 6b2e9d4c1a57
Revises: e3b9c4d1a6f2
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "6b2e9d4c1a57"
down_revision = "e3b9c4d1a6f2"
branch_labels = None
depends_on = None

CATEGORIES = ("rights", "hardship", "welfare", "training", "canteen", "workplace", "other")


def _in(column, values):
    return f"{column} IN ('" + "', '".join(values) + "')"


def upgrade():
    op.create_table(
        "request_digests",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_request_digests_member_id_members"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id", "week", name=op.f("pk_request_digests")),
    )
    op.create_table(
        "service_plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("category", CATEGORIES), name=op.f("ck_service_plan_items_category_valid")),
        sa.CheckConstraint(_in("status", ("planned", "in_progress", "done")),
                           name=op.f("ck_service_plan_items_status_valid")),
        sa.ForeignKeyConstraint(["created_by"], ["members.id"], name=op.f("fk_service_plan_items_created_by_members")),
        sa.ForeignKeyConstraint(["grid_id"], ["grids.id"], name=op.f("fk_service_plan_items_grid_id_grids")),
        sa.ForeignKeyConstraint(["owner_id"], ["members.id"], name=op.f("fk_service_plan_items_owner_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_plan_items")),
    )
    with op.batch_alter_table("service_plan_items", schema=None) as batch_op:
        batch_op.create_index("ix_service_plan_items_quarter", ["quarter", "id"], unique=False)
    op.create_table(
        "service_plan_requests",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["service_plan_items.id"],
                                name=op.f("fk_service_plan_requests_item_id_service_plan_items"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"],
                                name=op.f("fk_service_plan_requests_request_id_requests"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", "request_id", name=op.f("pk_service_plan_requests")),
    )
    with op.batch_alter_table("service_plan_requests", schema=None) as batch_op:
        batch_op.create_index("ix_service_plan_requests_request_id", ["request_id"], unique=False)


def downgrade():
    with op.batch_alter_table("service_plan_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_service_plan_requests_request_id")
    op.drop_table("service_plan_requests")
    with op.batch_alter_table("service_plan_items", schema=None) as batch_op:
        batch_op.drop_index("ix_service_plan_items_quarter")
    op.drop_table("service_plan_items")
    op.drop_table("request_digests")
