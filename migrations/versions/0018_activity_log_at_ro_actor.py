"""ix_ro_activity_log_at_ro_id_actor replaces ix_ro_activity_log_at: the desk's changes in a
period (recent_changes: how many, on how many ROs, by whom) read from the index alone

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ro_activity_log_at_ro_id_actor", "ro_activity_log", ["at", "ro_id", "actor"]
    )
    op.drop_index("ix_ro_activity_log_at", table_name="ro_activity_log")


def downgrade() -> None:
    op.create_index("ix_ro_activity_log_at", "ro_activity_log", ["at"])
    op.drop_index("ix_ro_activity_log_at_ro_id_actor", table_name="ro_activity_log")
