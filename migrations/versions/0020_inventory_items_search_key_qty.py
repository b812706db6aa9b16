"""ix_inventory_items_search_key_qty (search_key, qty) replaces ix_inventory_items_search_key:
low stock's per-part totals (GROUP BY search_key, SUM of qty) read the index alone, not every
stock line's row; part-number searches use it as they used the old one

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inventory_items_search_key_qty", "inventory_items", ["search_key", "qty"])
    op.drop_index("ix_inventory_items_search_key", table_name="inventory_items")


def downgrade() -> None:
    op.create_index("ix_inventory_items_search_key", "inventory_items", ["search_key"])
    op.drop_index("ix_inventory_items_search_key_qty", table_name="inventory_items")
