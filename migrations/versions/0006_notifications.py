"""notifications: email drafts to shops, their approval and exactly-once sending (issue #6)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("shop_name", sa.String(200), nullable=True),
        sa.Column("to_address", sa.String(320), nullable=True),
        sa.Column("cc", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("missing_email", sa.Boolean(), nullable=False),
        sa.Column("ro_status", sa.String(30), nullable=True),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("edited_by", sa.String(320), nullable=True),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by", sa.String(320), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_by", sa.String(320), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.Column("reject_reason", sa.String(500), nullable=True),
        sa.Column("merged_into", sa.String(36), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("handoff_at", sa.DateTime(), nullable=True),
        sa.Column("sender", sa.String(20), nullable=True),
        sa.Column("provider_ref", sa.String(400), nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_notifications_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_created_on"), "notifications", ["created_on"])
    op.create_index("ix_notifications_state_created", "notifications", ["state", "created_at"])
    op.create_table(
        "notification_ros",
        sa.Column("notification_id", sa.String(36), nullable=False),
        sa.Column("ro_id", sa.Integer(), nullable=False),
        sa.Column("ro_number", sa.String(20), nullable=False),
        sa.Column("pending_ro", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_ros_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ro_id"], ["repair_orders.id"], name=op.f("fk_notification_ros_ro_id_repair_orders")
        ),
        sa.PrimaryKeyConstraint("notification_id", "ro_id", name=op.f("pk_notification_ros")),
        sa.UniqueConstraint("pending_ro", name=op.f("uq_notification_ros_pending_ro")),
    )
    op.create_index(op.f("ix_notification_ros_ro_number"), "notification_ros", ["ro_number"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notification_ros_ro_number"), table_name="notification_ros")
    op.drop_table("notification_ros")
    op.drop_index("ix_notifications_state_created", table_name="notifications")
    op.drop_index(op.f("ix_notifications_created_on"), table_name="notifications")
    op.drop_table("notifications")
