"""jobs: idempotency keys of applied write jobs, final job failures, scheduled job runs.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "job_idempotency",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_idempotency")),
        sa.UniqueConstraint("key", name=op.f("uq_job_idempotency_key")),
    )
    with op.batch_alter_table("job_idempotency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_idempotency_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "job_failures",
        sa.Column("id", BigId, nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("queue_name", sa.String(length=100), nullable=False),
        sa.Column("args", sa.Text(), nullable=True),
        sa.Column("error_type", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_failures")),
    )
    with op.batch_alter_table("job_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_failures_failed_at"), ["failed_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_failures_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "job_runs",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_runs_name"), ["name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_runs_name"))
    op.drop_table("job_runs")
    with op.batch_alter_table("job_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_failures_message_id"))
        batch_op.drop_index(batch_op.f("ix_job_failures_failed_at"))
    op.drop_table("job_failures")
    with op.batch_alter_table("job_idempotency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_idempotency_created_at"))
    op.drop_table("job_idempotency")
