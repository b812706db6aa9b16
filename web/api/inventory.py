"""`/api/inventory/*`: the legacy inventory contract over the one stock table.

Search keeps the old answer's shape; its tiers are ours (exact key, then prefix and substring
through the search index), reported as the old `searchMethod` names: "exact", or "like" for
any partial match ("direct" — the old fallback to the stock tables — no longer exists: every
line is in the one index). Decrement is the chat's "use a part on an RO" (one unit, never
below zero, logged with the RO and the token's user).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidInput, NotFound
from domain.inventory.rules import MAX_LIMIT
from domain.inventory.tables import TABLES, check_table
from domain.inventory.views import ItemView
from domain.roles import Actor, Role
from web.api import idempotency
from web.api.auth import Caller, Credential, admit, context, needs

router = APIRouter(prefix="/api/inventory", tags=["inventory"])
LIKE_LIMIT = 50  # the old LIKE tier's cap


class SearchHit(BaseModel):
    indexId: str
    partNumber: str
    tableName: str | None
    rowId: int | None
    qty: int
    condition: str | None
    location: str | None
    description: str | None


class SearchAnswer(BaseModel):
    results: list[SearchHit]
    totalResults: int
    searchMethod: str


class StockLine(BaseModel):
    id: str
    partNumber: str
    qty: int
    serial: str | None
    condition: str | None
    location: str | None
    description: str | None
    tableName: str | None


class TableAnswer(BaseModel):
    tableName: str
    items: list[StockLine]
    count: int


class FilteredAnswer(BaseModel):
    items: list[StockLine]
    count: int
    filters: dict[str, str | None]


class TableInfo(BaseModel):
    name: str
    displayName: str
    count: int


class TablesAnswer(BaseModel):
    tables: list[TableInfo]
    totalTables: int
    totalItems: int


class TableBreakdown(BaseModel):
    table: str
    parts: int
    quantity: int


class StatsAnswer(BaseModel):
    totalParts: int
    totalQuantity: int
    lowStockItems: int
    outOfStockItems: int
    tableBreakdown: list[TableBreakdown]


class LowStockPlace(BaseModel):
    indexId: str
    location: str | None
    condition: str | None
    qty: int


class LowStockLine(BaseModel):
    """One part under the threshold in total, across every place it is kept (the old API listed
    stock lines: a part with 1 in one bin and 100 in another showed as low). `indexId`,
    `location` and `condition` are of its fullest place; `currentQty` is the total."""

    indexId: str
    partNumber: str
    tableName: str | None
    currentQty: int
    places: list[LowStockPlace]
    usage90Days: int
    monthlyUsageRate: float
    recommendedReorder: int
    urgency: str
    daysUntilStockout: int | None
    location: str | None
    condition: str | None


class LowStockAnswer(BaseModel):
    threshold: int
    totalLowStockItems: int
    criticalItems: int
    highUrgencyItems: int
    mediumUrgencyItems: int
    lowUrgencyItems: int
    items: list[LowStockLine]


class Decrement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indexId: str | int
    partNumber: str
    roNumber: str
    notes: str | None = None


class Decremented(BaseModel):
    success: bool
    indexId: str
    partNumber: str
    previousQty: int
    newQty: int
    isLowStock: bool
    transactionId: int


def _line(item: ItemView) -> dict:
    return StockLine(
        id=str(item.id),
        partNumber=item.part_number,
        qty=item.qty,
        serial=item.serial_number,
        condition=item.condition,
        location=item.location,
        description=item.description,
        tableName=item.source_table,
    ).model_dump()


def _paged(request: Request, total: int, shown: int, limit: int, offset: int) -> dict:
    headers = {"X-Total-Count": str(total)}
    if offset + shown < total:
        query = dict(request.query_params) | {"limit": limit, "offset": offset + limit}
        headers["Link"] = f'<{request.url.path}?{urlencode(query)}>; rel="next"'
    return headers


@router.get("/search", response_model=SearchAnswer, summary="Search by part number")
def search(
    request: Request,
    credential: Credential,
    partNumber: Annotated[str | None, Query()] = None,
    condition: Annotated[str | None, Query()] = None,
) -> Response:
    admit(request, credential)
    if not (partNumber or "").strip():
        raise InvalidInput("partNumber is required.")
    found = context(request).app.inventory.search(partNumber, condition=condition, limit=MAX_LIMIT)
    if not found.items:
        raise NotFound(f"No stock matches {found.query}.")
    method = "exact" if found.search_method == "exact" else "like"
    items = found.items if method == "exact" else found.items[:LIKE_LIMIT]
    # `SearchAnswer`'s fields as plain values (the service's views are validated already):
    # the most frequent call of the API skips a second validation of every hit.
    return JSONResponse(
        {
            "results": [
                {
                    "indexId": str(i.id),
                    "partNumber": i.part_number,
                    "tableName": i.source_table,
                    "rowId": i.source_row,
                    "qty": i.qty,
                    "condition": i.condition,
                    "location": i.location,
                    "description": i.description,
                }
                for i in items
            ],
            "totalResults": len(items),
            "searchMethod": method,
        }
    )


@router.get("/tables", response_model=TablesAnswer, summary="The inventory tables with counts")
def tables(request: Request, actor: Caller) -> TablesAnswer:
    counts = context(request).app.inventory.tables.counts()
    return TablesAnswer(
        tables=[
            TableInfo(name=t.name, displayName=TABLES.get(t.name, t.name), count=t.parts)
            for t in counts
        ],
        totalTables=len(counts),
        totalItems=sum(t.parts for t in counts),
    )


@router.get("/table/{tableName}", response_model=TableAnswer, summary="Lines of one table")
def table(
    tableName: str,
    request: Request,
    actor: Caller,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    check_table(tableName)
    size = limit or context(request).app.settings.api_list_cap
    page = context(request).app.inventory.tables.items(tableName, limit=size, offset=offset)
    body = TableAnswer(
        tableName=tableName, items=[_line(i) for i in page.items], count=page.total
    ).model_dump()
    return JSONResponse(body, headers=_paged(request, page.total, len(page.items), size, offset))


def _filtered(request: Request, table_name: str, filters: dict, limit, offset) -> JSONResponse:
    size = limit or context(request).app.settings.api_list_cap
    location = filters.get("location") or filters.get("bin")
    page = context(request).app.inventory.tables.items(
        table_name,
        location=location,
        condition=filters.get("condition"),
        search=filters.get("search"),
        limit=size,
        offset=offset,
    )
    body = FilteredAnswer(
        items=[_line(i) for i in page.items], count=page.total, filters=filters
    ).model_dump()
    return JSONResponse(body, headers=_paged(request, page.total, len(page.items), size, offset))


@router.get("/stock-room", response_model=FilteredAnswer, summary="Stock room lines, filtered")
def stock_room(
    request: Request,
    actor: Caller,
    location: str | None = None,
    condition: str | None = None,
    search: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    filters = {"location": location, "condition": condition, "search": search}
    return _filtered(request, "stock_room", filters, limit, offset)


@router.get("/bins", response_model=FilteredAnswer, summary="Bin lines, filtered")
def bins(
    request: Request,
    actor: Caller,
    location: str | None = None,
    bin: str | None = None,
    search: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    if location and bin:
        raise InvalidInput("Give location or bin, not both (a bin is its location).")
    filters = {"location": location, "bin": bin, "search": search}
    return _filtered(request, "bins_inventory", filters, limit, offset)


@router.get("/stats", response_model=StatsAnswer, summary="Stock totals")
def stats(request: Request, actor: Caller) -> StatsAnswer:
    found = context(request).app.inventory.tables.stats()
    return StatsAnswer(
        totalParts=found.total_parts,
        totalQuantity=found.total_quantity,
        lowStockItems=found.low_stock,
        outOfStockItems=found.out_of_stock,
        tableBreakdown=[
            TableBreakdown(table=t.name, parts=t.parts, quantity=t.quantity)
            for t in found.tables
            if t.parts
        ],
    )


@router.get("/low-stock", response_model=LowStockAnswer, summary="Low stock, with reorder advice")
def low_stock(
    request: Request,
    actor: Caller,
    threshold: Annotated[int, Query(ge=1, le=100_000)] = 5,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> LowStockAnswer:
    report = context(request).app.inventory.low_stock(threshold=threshold, limit=limit)
    urgency = report.by_urgency
    return LowStockAnswer(
        threshold=report.threshold,
        totalLowStockItems=report.total,
        criticalItems=urgency.get("critical", 0),
        highUrgencyItems=urgency.get("high", 0),
        mediumUrgencyItems=urgency.get("medium", 0),
        lowUrgencyItems=urgency.get("low", 0),
        items=[
            LowStockLine(
                indexId=str(e.places[0].item_id) if e.places else "",
                partNumber=e.part_number,
                tableName=None,
                currentQty=e.total_qty,
                places=[
                    LowStockPlace(
                        indexId=str(p.item_id),
                        location=p.location,
                        condition=p.condition,
                        qty=p.qty,
                    )
                    for p in e.places
                ],
                usage90Days=e.usage_90_days,
                monthlyUsageRate=e.monthly_usage,
                recommendedReorder=e.recommended_reorder,
                urgency=e.urgency,
                daysUntilStockout=e.days_until_stockout,
                location=e.places[0].location if e.places else None,
                condition=e.places[0].condition if e.places else None,
            )
            for e in report.items
        ],
    )


@router.post(
    "/decrement",
    response_model=Decremented,
    summary="Take one unit for an RO (409 when none is left)",
)
async def decrement(
    body: Decrement,
    request: Request,
    actor: Annotated[Actor, Depends(needs(Role.EDITOR, "use parts from stock"))],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    app = context(request).app
    index_id = str(body.indexId).strip()
    if not index_id.isdigit():
        raise InvalidInput(f'indexId "{index_id[:20]}" is not a stock line id.')

    def take() -> JSONResponse:
        used = app.inventory.use_part(
            actor, body.partNumber, body.roNumber, note=body.notes, item_id=int(index_id)
        )
        return JSONResponse(
            Decremented(
                success=True,
                indexId=str(used.item_id),
                partNumber=used.part_number,
                previousQty=used.previous_qty,
                newQty=used.new_qty,
                isLowStock=used.is_low_stock,
                transactionId=used.transaction_id,
            ).model_dump()
        )

    return await idempotency.once(
        app, actor, idempotency_key, body.model_dump(), take, "/api/inventory/decrement"
    )
