"""What a tool operation is: a plain function `fn(ctx, **json_args) -> dict`, marked as a read or
a write, that its own Dramatiq actor runs (jobs/actors.py declares one actor per operation).

    @reads
    def get_repair_order(ctx: OperationContext, number: str) -> Result: ...

    @writes(replay=read_back)
    def change_status(ctx: OperationContext, number: str, status: str, ...) -> Result: ...

A tool calls it by reference — `await deps.run(repair_orders.change_status, number=...)` — so
"go to definition" leads from the tool to the operation to the domain. A write's services must
use `ctx.uow` (or `ctx.repair_orders` / `ctx.inventory`, bound to it), so the call's idempotency
key commits in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.inventory.service import InventoryService
from domain.repair_orders import RepairOrderService
from domain.roles import Actor
from domain.unit_of_work import UnitOfWorkFactory
from jobs.app import App

Result = dict[str, Any]
OperationFn = Callable[..., Result]


@dataclass(frozen=True)
class OperationContext:
    app: App
    actor: Actor
    uow: UnitOfWorkFactory  # for writes: records the idempotency key in the same transaction

    @property
    def repair_orders(self) -> RepairOrderService:
        return self.app.repair_orders.using(self.uow)

    @property
    def inventory(self) -> InventoryService:
        return self.app.inventory.using(self.uow)


@dataclass(frozen=True)
class Spec:
    writes: bool
    # For writes: what to answer when a redelivery finds the change applied but no stored result.
    replay: OperationFn | None = None


def reads(fn: OperationFn) -> OperationFn:
    """Mark `fn` as a read operation (safe to run any number of times)."""
    fn.spec = Spec(writes=False)  # type: ignore[attr-defined]
    return fn


def writes(*, replay: OperationFn | None = None) -> Callable[[OperationFn], OperationFn]:
    """Mark `fn` as a write: applied once per call id, whatever the redeliveries."""

    def mark(fn: OperationFn) -> OperationFn:
        fn.spec = Spec(writes=True, replay=replay)  # type: ignore[attr-defined]
        return fn

    return mark


def spec_of(fn: Callable[..., Any]) -> Spec:
    spec = getattr(fn, "spec", None)
    if not isinstance(spec, Spec):
        raise TypeError(f"{getattr(fn, '__qualname__', fn)!r} is not a tool operation")
    return spec


def dump(value: Any) -> Any:
    """A pydantic model, dataclass or list of them as JSON-able data."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [dump(v) for v in value]
    return value
