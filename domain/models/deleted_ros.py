"""Deleted repair orders stay in the table (with their history) but out of every query.

`DELETE /api/ros/:id` and `gt ro delete` mark an RO deleted (`deleted_at`, `deleted_by`); data
is never lost. Rather than a condition repeated in each of the ~40 queries that list, count,
search, export, sync or look up ROs (and forgotten in the next one), every ORM statement a
`Session` runs gets `deleted_at IS NULL` for `RepairOrder` added here, aliases and joins
included. The few readers that must see deleted ROs — the number-taken check, number
allocation, an RO's history, the Excel drain removing a deleted RO's row — ask for them with
`.execution_options(include_deleted=True)` (`INCLUDE_DELETED`).

Statements over `RepairOrder.__table__` (Core, not ORM) and raw SQL are not covered: each such
query adds `live_ro()` itself.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from domain.models.repair_orders import RepairOrder

INCLUDE_DELETED = {"include_deleted": True}


def live_ro(table=RepairOrder):
    """The condition "not deleted", for Core statements over the table."""
    return table.deleted_at.is_(None)


@event.listens_for(Session, "do_orm_execute")
def _hide_deleted_ros(state: ORMExecuteState) -> None:
    if state.execution_options.get("include_deleted"):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                RepairOrder, lambda ro: ro.deleted_at.is_(None), include_aliases=True
            )
        )
