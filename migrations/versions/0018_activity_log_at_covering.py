"""ix_ro_activity_log_at_covering (at, ro_id, actor, action) replaces ix_ro_activity_log_at: the
desk's changes in a period (recent_changes: how many, on how many ROs, by whom, of which kind)
counted from the index alone

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
        "ix_ro_activity_log_at_covering", "ro_activity_log", ["at", "ro_id", "actor", "action"]
    )
    op.drop_index("ix_ro_activity_log_at", table_name="ro_activity_log")


def downgrade() -> None:
    op.create_index("ix_ro_activity_log_at", "ro_activity_log", ["at"])
    op.drop_index("ix_ro_activity_log_at_covering", table_name="ro_activity_log")
