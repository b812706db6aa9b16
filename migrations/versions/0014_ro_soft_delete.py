"""repair_orders.deleted_at, deleted_by: soft delete (DELETE /api/ros/:id, gt ro delete);
ix_repair_orders_archive_live: an archive's live ROs listed from the index alone

Revision ID: 0014
Revises: 0012 (to be re-chained after 0013)
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("repair_orders") as table:
        table.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        table.add_column(sa.Column("deleted_by", sa.String(320), nullable=True))
    op.create_index(
        "ix_repair_orders_archive_live",
        "repair_orders",
        ["archive", "deleted_at", "next_update", "number", "version"],
    )


def downgrade() -> None:
    op.drop_index("ix_repair_orders_archive_live", table_name="repair_orders")
    with op.batch_alter_table("repair_orders") as table:
        table.drop_column("deleted_by")
        table.drop_column("deleted_at")
