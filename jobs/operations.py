"""The tool operations `run_tool` can run: a name, a function, and whether it writes.

An operation is `fn(ctx, **args) -> dict` with JSON-primitive arguments and a JSON-able result.
Register one with `@operation("name")` (or `@operation("name", writes=True)` for a change; its
services must use `ctx.uow` so the call's idempotency key commits with the change). The
assistant's tools (issue #5) add theirs the same way, next to their pydantic signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bootstrap import App
from domain.archive import Archive, parse_archive
from domain.errors import InvalidInput
from domain.repair_orders import ListFilter, RepairOrderService
from domain.roles import Actor
from domain.stats import dashboard
from domain.statuses import parse_status
from domain.unit_of_work import UnitOfWorkFactory
from jobs.errors import UnknownOperation

Result = dict[str, Any]


@dataclass(frozen=True)
class ToolContext:
    app: App
    actor: Actor
    uow: UnitOfWorkFactory  # for writes: records the idempotency key in the same transaction

    @property
    def repair_orders(self) -> RepairOrderService:
        return self.app.repair_orders.using(self.uow)


@dataclass(frozen=True)
class Operation:
    name: str
    fn: Callable[..., Result]
    writes: bool = False
    # For writes: what to answer when a redelivery finds the change applied but no stored result.
    replay: Callable[..., Result] | None = None


REGISTRY: dict[str, Operation] = {}


def operation(
    name: str, *, writes: bool = False, replay: Callable[..., Result] | None = None
) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    def register(fn: Callable[..., Result]) -> Callable[..., Result]:
        REGISTRY[name] = Operation(name, fn, writes, replay)
        return fn

    return register


def get(name: str) -> Operation:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownOperation(f'There is no tool operation "{str(name)[:60]}".') from None


def dump(value: Any) -> Any:
    """A pydantic model, dataclass or list of them as JSON-able data."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [dump(v) for v in value]
    return value


# ---- repair orders --------------------------------------------------------------------------
@operation("get_repair_order")
def get_repair_order(ctx: ToolContext, number: str | int) -> Result:
    return {"repair_order": dump(ctx.app.repair_orders.get(number))}


@operation("list_repair_orders")
def list_repair_orders(
    ctx: ToolContext,
    archive: str | None = "ACTIVE",
    overdue: bool = False,
    shop: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> Result:
    chosen: Archive | None
    if archive is None or str(archive).strip().lower() == "all":
        chosen = None
    else:
        chosen = parse_archive(archive)
    flt = ListFilter(
        archive=chosen,
        overdue=bool(overdue),
        shop=shop,
        status=parse_status(status) if status else None,
        limit=int(limit),
    )
    found = ctx.app.repair_orders.list(flt)
    return {"total": found.total, "items": dump(found.items)}


@operation("dashboard_stats")
def dashboard_stats(ctx: ToolContext) -> Result:
    with ctx.app.session() as session:
        return {"stats": dump(dashboard(session, ctx.app.today()))}


def _read_back(ctx: ToolContext, number: str | int, **_: Any) -> Result:
    return get_repair_order(ctx, number)


@operation("change_status", writes=True, replay=_read_back)
def change_status(
    ctx: ToolContext,
    number: str | int,
    status: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Result:
    ro = ctx.repair_orders.change_status(
        ctx.actor, number, status, note=note, expected_version=expected_version
    )
    return {"repair_order": dump(ro)}


@operation("update_repair_order", writes=True, replay=_read_back)
def update_repair_order(
    ctx: ToolContext,
    number: str | int,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Result:
    if not isinstance(changes, dict):
        raise InvalidInput("changes must be an object of field names to new values.")
    ro = ctx.repair_orders.update(ctx.actor, number, changes, expected_version=expected_version)
    return {"repair_order": dump(ro)}
