"""the desk's RO queries: normalized part/serial keys and the indexes the filters use

`part_key` / `serial_key` are virtual generated columns (the part or serial number without
separators, uppercase) with an index each, so "066 50008" finds "066-50008" by an index seek.
The other indexes serve the date filters and "in this status for more than N days".
Added without a table rebuild: SQLite may add a VIRTUAL generated column in place.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copy of domain.models.repair_orders.KEY_SQL at this revision.
KEY_SQL = (
    "upper(replace(replace(replace(replace(replace(replace(replace({column}, '-', ''), ' ', ''),"
    " '/', ''), '.', ''), '_', ''), '#', ''), ',', ''))"
)
INDEXES = {
    "ix_repair_orders_part_key": ["part_key"],
    "ix_repair_orders_serial_key": ["serial_key"],
    "ix_repair_orders_status_status_date": ["status", "status_date"],
    "ix_repair_orders_archive_eta": ["archive", "estimated_delivery"],
    "ix_repair_orders_date_made": ["date_made"],
    "ix_repair_orders_last_updated": ["last_updated"],
}


def upgrade() -> None:
    for key, source in (("part_key", "part_number"), ("serial_key", "serial_number")):
        op.add_column(
            "repair_orders",
            sa.Column(
                key,
                sa.String(100),
                sa.Computed(KEY_SQL.format(column=source), persisted=False),
                nullable=True,
            ),
        )
    for name, columns in INDEXES.items():
        op.create_index(name, "repair_orders", columns)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="repair_orders")
    for key in ("serial_key", "part_key"):
        op.drop_column("repair_orders", key)
