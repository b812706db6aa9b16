"""Outside sources of ROs (issue #17): sources, source_sync_runs, repair_orders.erp_modified_at

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("every_hours", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("encrypted_credentials", sa.Text(), nullable=False),
        sa.Column("credential_fields", sa.JSON(), nullable=False),
        sa.Column("field_mapping", sa.JSON(), nullable=False),
        sa.Column("cursor", sa.DateTime(), nullable=True),
        sa.Column("running_since", sa.DateTime(), nullable=True),
        sa.Column("last_started_at", sa.DateTime(), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.String(20), nullable=True),
        sa.Column("last_counts", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "source_sync_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("triggered_by", sa.String(320), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_sync_runs_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_sync_runs")),
    )
    op.create_index(op.f("ix_source_sync_runs_source_id"), "source_sync_runs", ["source_id"])
    with op.batch_alter_table("repair_orders") as table:
        table.add_column(sa.Column("erp_modified_at", sa.DateTime(), nullable=True))
        table.create_index("ix_repair_orders_erp_po_id", ["erp_po_id"])


def downgrade() -> None:
    with op.batch_alter_table("repair_orders") as table:
        table.drop_index("ix_repair_orders_erp_po_id")
        table.drop_column("erp_modified_at")
    op.drop_index(op.f("ix_source_sync_runs_source_id"), table_name="source_sync_runs")
    op.drop_table("source_sync_runs")
    op.drop_table("sources")
