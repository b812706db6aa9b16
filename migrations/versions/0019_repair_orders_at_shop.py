"""ix_repair_orders_archive_status_dropped_off (archive, status, date_dropped_off) replaces
ix_repair_orders_archive_status: "ROs at the shop over 60 days" (open, an at-the-shop status,
dropped off before a day) read as index ranges, not every open RO of those statuses

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_repair_orders_archive_status_dropped_off",
        "repair_orders",
        ["archive", "status", "date_dropped_off"],
    )
    op.drop_index("ix_repair_orders_archive_status", table_name="repair_orders")


def downgrade() -> None:
    op.create_index("ix_repair_orders_archive_status", "repair_orders", ["archive", "status"])
    op.drop_index("ix_repair_orders_archive_status_dropped_off", table_name="repair_orders")
