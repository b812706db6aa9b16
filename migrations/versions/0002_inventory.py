"""inventory: items, the substring search index, the transactions log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ascii(length: int):
    return sa.String(length=length).with_variant(
        mysql.VARCHAR(length, charset="ascii", collation="ascii_bin"), "mysql", "mariadb"
    )


def upgrade() -> None:
    op.create_table(
        "inventory_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_number", sa.String(length=100), nullable=False),
        sa.Column("search_key", _ascii(100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("serial_number", sa.String(length=100), nullable=True),
        sa.Column("condition", sa.String(length=2), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("source_table", sa.String(length=64), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("last_seen", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_items")),
        sa.UniqueConstraint("source_table", "source_row", name="uq_inventory_items_source"),
    )
    with op.batch_alter_table("inventory_items", schema=None) as batch_op:
        batch_op.create_index("ix_inventory_items_search_key", ["search_key"], unique=False)
        batch_op.create_index("ix_inventory_items_qty", ["qty"], unique=False)

    op.create_table(
        "inventory_search_terms",
        sa.Column("term", _ascii(32), nullable=False),
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint("term", "item_id", "kind", name=op.f("pk_inventory_search_terms")),
    )

    op.create_table(
        "inventory_transactions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("part_number", sa.String(length=100), nullable=False),
        sa.Column("part_key", _ascii(100), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("new_qty", sa.Integer(), nullable=False),
        sa.Column("ro_number", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("import_ref", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_transactions")),
        sa.UniqueConstraint("import_ref", name=op.f("uq_inventory_transactions_import_ref")),
    )
    with op.batch_alter_table("inventory_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_transactions_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inventory_transactions_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_transactions_ro_number"), ["ro_number"], unique=False
        )
        batch_op.create_index(
            "ix_inventory_transactions_part_key_at", ["part_key", "at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("inventory_transactions")
    op.drop_table("inventory_search_terms")
    op.drop_table("inventory_items")
