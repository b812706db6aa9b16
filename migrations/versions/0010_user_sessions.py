"""user_sessions (sign-ins bound to our user id), user_changes (the accounts' audit trail),
and the local sign-in throttle (users.failed_logins, users.locked_until)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("binding", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_table(
        "user_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.String(300), nullable=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_changes")),
    )
    op.create_index(op.f("ix_user_changes_user_id"), "user_changes", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_changes_user_id"), table_name="user_changes")
    op.drop_table("user_changes")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    with op.batch_alter_table("users") as table:
        table.drop_column("locked_until")
        table.drop_column("failed_logins")
