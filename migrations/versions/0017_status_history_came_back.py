"""ix_ro_status_history_status_changed_at: the ROs whose unit came back in a period (the search's
came_back filter) and the reports' first change into a status, read from the index alone

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ro_status_history_status_changed_at",
        "ro_status_history",
        ["status", "changed_at", "ro_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_ro_status_history_status_changed_at", table_name="ro_status_history")
