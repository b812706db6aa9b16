"""excel: write-behind sync state per workbook, sync jobs with progress, Graph credentials

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "excel_sync_state",
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(), nullable=True),
        sa.Column("last_full_sync_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_excel_sync_state")),
    )
    op.create_table(
        "excel_sync_jobs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(200), nullable=True),
        sa.Column("requested_by", sa.String(320), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_excel_sync_jobs")),
    )
    op.create_index(op.f("ix_excel_sync_jobs_created_at"), "excel_sync_jobs", ["created_at"])
    op.create_table(
        "graph_credentials",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("encrypted_token", sa.Text(), nullable=False),
        sa.Column("account", sa.String(320), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_graph_credentials")),
    )


def downgrade() -> None:
    op.drop_table("graph_credentials")
    op.drop_index(op.f("ix_excel_sync_jobs_created_at"), table_name="excel_sync_jobs")
    op.drop_table("excel_sync_jobs")
    op.drop_table("excel_sync_state")
