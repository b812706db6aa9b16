"""ERP.aero's repair order -> our fields (REFERENCE §4). Pure: no I/O.

    po_no "RO171"              -> RO number (kept distinguishable by erp_po_id and its sync status)
    vendor.vendorname          -> shop
    first part product.name    -> part number  (product.description -> description)
    tags.sn / pn_sn            -> serial
    unit_price                 -> estimated cost
    term_sale                  -> terms
    ship_via                   -> tracking
    created                    -> date made;  ETA = created + leadtime (days)
    status                     -> our status by keyword; unknown ones are kept in the notes

A source's `field_mapping` may point any of our fields at another dotted path
(`{"tracking_number": "shipping.awb"}`). Unknown fields of the record are ignored; a record
without a po_id, a PO number or a readable modified time is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.source_records import Incoming, Skip
from domain.statuses import Status

# Our field -> where ERP.aero has it (first path that holds a value wins).
DEFAULT_PATHS: dict[str, tuple[str, ...]] = {
    "shop_name": ("vendor.vendorname",),
    "part_number": ("parts.0.product.name", "products.0.product.name", "product.name"),
    "part_description": ("parts.0.product.description", "products.0.product.description"),
    "serial_number": ("parts.0.tags.sn", "parts.0.pn_sn", "tags.sn", "pn_sn"),
    "estimated_cost": ("parts.0.unit_price", "unit_price"),
    "terms": ("term_sale",),
    "tracking_number": ("ship_via",),
}
# Keyword in ERP.aero's status -> ours; the first keyword found wins (REFERENCE §4's order).
STATUS_KEYWORDS: tuple[tuple[str, Status], ...] = (
    ("DELIVERED", Status.RECEIVED),
    ("RECEIVED", Status.RECEIVED),
    ("SHIPPED", Status.SHIPPED),
    ("TRANSIT", Status.SHIPPED),
    ("PACKED", Status.SHIPPED),
    ("APPROVED", Status.APPROVED),
    ("CANCEL", Status.CANCELLED),
    ("SCRAP", Status.SCRAP),
    ("COMPLETED", Status.COMPLETE),
    ("DONE", Status.COMPLETE),
    ("PROGRESS", Status.IN_WORK),
    ("WORKING", Status.IN_WORK),
    ("QUOTE", Status.WAITING_QUOTE),
    ("HOLD", Status.ON_HOLD),
    ("BER", Status.BER),
)
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def map_status(text: object) -> Status | None:
    upper = str(text or "").strip().upper()
    if not upper:
        return None
    for keyword, status in STATUS_KEYWORDS:
        if keyword in upper:
            return status
    return None


def parse_timestamp(value: object) -> datetime | None:
    """ERP.aero's times ("2026-11-20 10:15:00", ISO with an offset, or epoch seconds) as naive
    UTC; None when unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        return parse_timestamp(int(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in TIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def pick(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if isinstance(value, list):
            if not part.isdigit() or int(part) >= len(value):
                return None
            value = value[int(part)]
        elif isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
        if value is None:
            return None
    return value


def transform(
    record: Mapping[str, Any], mapping: Mapping[str, Any] | None = None
) -> Incoming | Skip:
    po_id = record.get("po_id", record.get("id"))
    po_id = str(po_id).strip() if po_id not in (None, "") else None
    if not po_id:
        return Skip(None, "no po_id")
    number = str(record.get("po_no") or "").strip()
    if not number:
        return Skip(po_id, "no PO number (po_no)")
    modified = parse_timestamp(record.get("modified_time"))
    if modified is None:
        return Skip(po_id, f'modified time "{str(record.get("modified_time"))[:40]}" unreadable')
    paths = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in (mapping or {}).items()}
    fields: dict[str, Any] = {}
    for name, where in {**DEFAULT_PATHS, **paths}.items():
        for path in where:
            value = pick(record, path)
            if value not in (None, ""):
                fields[name] = value if not isinstance(value, dict | list) else str(value)
                break
    created_raw = record.get("created")
    if created_raw not in (None, ""):
        created = parse_timestamp(created_raw)
        if created is None:
            return Skip(po_id, f'created date "{str(created_raw)[:40]}" unreadable')
        fields["date_made"] = created.date()
        lead = record.get("leadtime")
        if lead not in (None, ""):
            try:
                days = int(float(str(lead)))
            except ValueError:
                return Skip(po_id, f'leadtime "{str(lead)[:20]}" is not a number of days')
            fields["estimated_delivery"] = _plus_days(created.date(), days)
    raw_status = str(record.get("status") or "").strip() or None
    status = map_status(raw_status)
    return Incoming(
        po_id=po_id,
        number=number,
        modified_at=modified,
        fields=fields,
        status=status.value if status else None,
        source_status=raw_status,
    )


def _plus_days(start: date, days: int) -> date:
    return start + timedelta(days=max(0, min(days, 3650)))
