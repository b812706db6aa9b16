"""inbound_emails, inbound_email_ros, mailbox_cursors (shops' replies read back, #16);
notifications.conversation_id and an index on notifications.message_id (replies match them)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inbound_emails",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("internet_message_id", sa.String(1000), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("provider_id", sa.String(500), nullable=True),
        sa.Column("conversation_id", sa.String(500), nullable=True),
        sa.Column("in_reply_to", sa.String(1000), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("from_address", sa.String(320), nullable=False),
        sa.Column("from_name", sa.String(200), nullable=True),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("raw_location", sa.String(500), nullable=True),
        sa.Column("raw_sha256", sa.String(64), nullable=True),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("shop_name", sa.String(200), nullable=True),
        sa.Column("matched_by", sa.String(30), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=True),
        sa.Column("reader", sa.String(20), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_inbound_emails_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_emails")),
        sa.UniqueConstraint("message_key", name=op.f("uq_inbound_emails_message_key")),
    )
    op.create_index("ix_inbound_emails_received", "inbound_emails", ["received_at"])
    op.create_index(op.f("ix_inbound_emails_from_address"), "inbound_emails", ["from_address"])
    op.create_index(op.f("ix_inbound_emails_state"), "inbound_emails", ["state"])
    op.create_table(
        "inbound_email_ros",
        sa.Column("email_id", BIG_ID, nullable=False),
        sa.Column("ro_number", sa.String(20), nullable=False),
        sa.Column("ro_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("approval_id", sa.String(36), nullable=True),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["inbound_emails.id"],
            name=op.f("fk_inbound_email_ros_email_id_inbound_emails"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ro_id"], ["repair_orders.id"], name=op.f("fk_inbound_email_ros_ro_id_repair_orders")
        ),
        sa.PrimaryKeyConstraint("email_id", "ro_number", name=op.f("pk_inbound_email_ros")),
    )
    op.create_index(op.f("ix_inbound_email_ros_ro_id"), "inbound_email_ros", ["ro_id"])
    op.create_index(op.f("ix_inbound_email_ros_state"), "inbound_email_ros", ["state"])
    op.create_index(op.f("ix_inbound_email_ros_approval_id"), "inbound_email_ros", ["approval_id"])
    op.create_table(
        "mailbox_cursors",
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("delta_link", sa.Text(), nullable=True),
        sa.Column("polled_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("mailbox", name=op.f("pk_mailbox_cursors")),
    )
    with op.batch_alter_table("notifications") as table:
        table.add_column(sa.Column("conversation_id", sa.String(500), nullable=True))
    op.create_index(op.f("ix_notifications_message_id"), "notifications", ["message_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_message_id"), table_name="notifications")
    with op.batch_alter_table("notifications") as table:
        table.drop_column("conversation_id")
    op.drop_table("mailbox_cursors")
    op.drop_table("inbound_email_ros")
    op.drop_table("inbound_emails")
