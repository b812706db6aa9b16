"""approvals become durable commands: the operation to apply and its recorded outcome

A confirmed approval is the command (operation, arguments, previewed version; its id is the
idempotency key). `outcome` is APPLIED or REFUSED once an actor has applied it or recorded why
not; confirmed rows without an outcome are what the recovery pass re-enqueues.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("approvals") as table:
        table.add_column(sa.Column("operation", sa.String(60), nullable=True))
        table.add_column(sa.Column("outcome", sa.String(12), nullable=True))
        table.add_column(sa.Column("result", sa.JSON(), nullable=True))
        table.add_column(sa.Column("applied_at", sa.DateTime(), nullable=True))
    op.create_index("ix_approvals_state_outcome", "approvals", ["state", "outcome"])


def downgrade() -> None:
    op.drop_index("ix_approvals_state_outcome", table_name="approvals")
    with op.batch_alter_table("approvals") as table:
        for column in ("applied_at", "result", "outcome", "operation"):
            table.drop_column(column)
