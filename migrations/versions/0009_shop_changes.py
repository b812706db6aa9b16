"""shop_changes: the audit trail of shop records edited from the chat (email, contact, terms)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_shop_changes_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_changes")),
    )
    op.create_index(op.f("ix_shop_changes_shop_id"), "shop_changes", ["shop_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_shop_changes_shop_id"), table_name="shop_changes")
    op.drop_table("shop_changes")
