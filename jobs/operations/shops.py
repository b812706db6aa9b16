"""Shop-directory operations: list and search shops, show one, preview and apply a change."""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidInput
from domain.shops import ShopService
from jobs.operation import OperationContext, Result, reads, writes


def _shops(ctx: OperationContext) -> ShopService:
    return ShopService(ctx.uow, ctx.app.today)


@reads
def list_shops(ctx: OperationContext, query: str | None = None, limit: int = 50) -> Result:
    return _shops(ctx).search(query, limit=int(limit))


@reads
def get_shop(ctx: OperationContext, shop: str) -> Result:
    return _shops(ctx).get(shop)


@reads
def preview_update_shop(ctx: OperationContext, shop: str, changes: dict[str, Any]) -> Result:
    if not isinstance(changes, dict):
        raise InvalidInput("changes must be an object of field names to new values.")
    return _shops(ctx).preview_update(shop, changes).as_dict()


def _read_back(ctx: OperationContext, shop: str, **_: Any) -> Result:
    return {"shop": _shops(ctx).get(shop)["shop"]}


def _read_back_new(ctx: OperationContext, name: str, **_: Any) -> Result:
    return {"shop": _shops(ctx).get(name)["shop"], "created": True}


@writes(replay=_read_back)
def update_shop(
    ctx: OperationContext,
    shop: str,
    changes: dict[str, Any],
    expected: dict[str, Any] | None = None,
) -> Result:
    if not isinstance(changes, dict):
        raise InvalidInput("changes must be an object of field names to new values.")
    return _shops(ctx).update(ctx.actor, shop, changes, expected=expected)


@reads
def preview_create_shop(ctx: OperationContext, name: str, values: dict[str, Any]) -> Result:
    if not isinstance(values, dict):
        raise InvalidInput("values must be an object of field names to values.")
    return _shops(ctx).preview_create(name, values).as_dict()


@writes(replay=_read_back_new)
def create_shop(ctx: OperationContext, name: str, values: dict[str, Any]) -> Result:
    if not isinstance(values, dict):
        raise InvalidInput("values must be an object of field names to values.")
    return _shops(ctx).create(ctx.actor, name, values)
