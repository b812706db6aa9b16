"""assistant: chat threads and steps, approvals, turn logs

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")


def upgrade() -> None:
    op.create_table(
        "chat_threads",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("user_email", sa.String(320), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=True),
        sa.Column("conversation", BigText, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_threads")),
    )
    op.create_index(op.f("ix_chat_threads_user_email"), "chat_threads", ["user_email"])
    op.create_index(op.f("ix_chat_threads_created_at"), "chat_threads", ["created_at"])
    op.create_table(
        "chat_steps",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("thread_id", sa.String(36), nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("input", BigText, nullable=True),
        sa.Column("output", BigText, nullable=True),
        sa.Column("meta", sa.JSON(), nullable=True),
        sa.Column("is_error", sa.Boolean(), nullable=False),
        sa.Column("show_input", sa.String(20), nullable=True),
        sa.Column("language", sa.String(40), nullable=True),
        sa.Column("start", sa.String(40), nullable=True),
        sa.Column("end", sa.String(40), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=True),
        sa.Column("feedback_value", sa.Integer(), nullable=True),
        sa.Column("feedback_comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["chat_threads.id"],
            ondelete="CASCADE",
            name=op.f("fk_chat_steps_thread_id_chat_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_steps")),
    )
    op.create_index("ix_chat_steps_thread_created", "chat_steps", ["thread_id", "created_at"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("thread_id", sa.String(36), nullable=False),
        sa.Column("tool_call_id", sa.String(100), nullable=False),
        sa.Column("tool_name", sa.String(60), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("ro_number", sa.String(20), nullable=True),
        sa.Column("expected_version", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(320), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint("tool_call_id", name=op.f("uq_approvals_tool_call_id")),
    )
    op.create_index(op.f("ix_approvals_thread_id"), "approvals", ["thread_id"])
    op.create_index(op.f("ix_approvals_state"), "approvals", ["state"])
    op.create_table(
        "ai_conversation_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(36), nullable=False),
        sa.Column("user_email", sa.String(320), nullable=False),
        sa.Column("user_message", sa.Text(), nullable=False),
        sa.Column("reply", BigText, nullable=True),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("tool_calls", sa.JSON(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_conversation_logs")),
    )
    op.create_index(
        op.f("ix_ai_conversation_logs_conversation_id"), "ai_conversation_logs", ["conversation_id"]
    )
    op.create_index(
        op.f("ix_ai_conversation_logs_user_email"), "ai_conversation_logs", ["user_email"]
    )
    op.create_index(
        op.f("ix_ai_conversation_logs_created_at"), "ai_conversation_logs", ["created_at"]
    )


def downgrade() -> None:
    for table in ("ai_conversation_logs", "approvals", "chat_steps", "chat_threads"):
        op.drop_table(table)
