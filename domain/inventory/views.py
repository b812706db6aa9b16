"""What inventory calls return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ItemView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    part_number: str
    search_key: str
    description: str | None
    qty: int
    serial_number: str | None
    condition: str | None
    location: str | None
    source_table: str | None
    source_row: int | None = None
    last_seen: datetime | None = None
    match: str | None = None  # exact, prefix, substring, description


class SearchResult(BaseModel):
    query: str
    normalized: str
    search_method: str  # exact, prefix, substring, none
    condition: str | None
    count: int
    truncated: bool  # more matches exist than were ranked and returned
    items: list[ItemView]


class StockPlace(BaseModel):
    """Where some of a part is kept: one stock line."""

    item_id: int
    location: str | None
    condition: str | None
    qty: int


class LowStockPart(BaseModel):
    """One part running low, counted over every place it is kept."""

    part_number: str
    search_key: str
    description: str | None
    total_qty: int
    places: list[StockPlace]  # fullest first
    usage_90_days: int
    monthly_usage: float
    recommended_reorder: int
    days_until_stockout: int | None
    urgency: str


class LowStockReport(BaseModel):
    threshold: int
    total: int  # parts under the threshold in total
    stock_lines: int  # the stock lines those parts have
    by_urgency: dict[str, int]
    items: list[LowStockPart]


class UseResult(BaseModel):
    item_id: int
    part_number: str
    location: str | None
    ro_number: str
    previous_qty: int
    new_qty: int
    is_low_stock: bool
    transaction_id: int


@dataclass
class ItemChange:
    """What `save_item` did: created, updated (with the fields) or unchanged."""

    action: str
    item_id: int
    fields: list[str] = field(default_factory=list)
