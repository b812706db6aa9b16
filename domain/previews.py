"""What a person confirms before a change: old -> new, computed by the same rules that apply it.

A `Preview` is pure data built from an RO's current values and the requested change; the
repair-order service builds one (`RepairOrderService.preview_*`), the chat shows it with
Confirm / Cancel, and the write applies `preview.args` — the canonical arguments, parsed once —
with the RO version the person saw, so a change made meanwhile is refused, not overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from domain.archive import Archive, route_archive
from domain.statuses import Status

Change = tuple[str, str, str]  # field, old, new — as a person reads them


def shown(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


@dataclass(frozen=True)
class Preview:
    title: str
    args: dict[str, Any]  # what the write takes: canonical values, parsed once
    changes: list[Change] = field(default_factory=list)
    ro_number: str | None = None
    version: int | None = None  # the RO version the person saw
    note: str | None = None
    unchanged: str | None = None  # set when nothing would change: the sentence to say instead
    # Shown before Confirm: e.g. the release certificate missing or not matching (issue #15).
    warning: str | None = None
    gate: dict[str, Any] | None = None  # the certificate check behind `warning`, as data

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def status_change(
    number: str,
    version: int,
    old: Status | str | None,
    new: Status,
    next_update: date | None,
    old_next_update: date | None,
    archive: Archive,
    terms: str | None,
    note: str | None,
) -> Preview:
    route = route_archive(new, terms)
    hint = None
    if route.archive is not None and route.archive != archive:
        hint = f"Afterwards it belongs in {route.archive.sheet} ({route.reason})."
    return Preview(
        title=f"Change the status of RO {number}",
        args={"number": number, "status": new.value, "note": note},
        changes=[
            ("status", shown(old), new.value),
            ("next update", shown(old_next_update), shown(next_update)),
        ],
        ro_number=number,
        version=version,
        note=hint,
    )


def field_update(
    number: str, version: int, current: Mapping[str, Any], values: Mapping[str, Any]
) -> Preview:
    """`values` are parsed field values; only those that differ from `current` are shown."""
    diff = [
        (key, current.get(key), value)
        for key, value in values.items()
        if shown(current.get(key)) != shown(value)
    ]
    args = {"number": number, "changes": {k: _primitive(v) for k, _, v in diff}}
    return Preview(
        title=f"Update RO {number}",
        args=args,
        changes=[(k.replace("_", " "), shown(old), shown(new)) for k, old, new in diff],
        ro_number=number,
        version=version,
        unchanged=None if diff else f"RO {number} already has those values.",
    )


def new_repair_order(
    values: Mapping[str, Any],
    status: Status,
    next_update: date | None = None,
    shop_note: str | None = None,
) -> Preview:
    """Every value the new RO will have (given, matched or defaulted), in the workbook's order."""
    fields = {k: _primitive(v) for k, v in values.items()}
    ordered = sorted(fields, key=lambda k: NEW_RO_ORDER.index(k) if k in NEW_RO_ORDER else 99)
    return Preview(
        title="Open a new repair order",
        args={"fields": fields, "status": status.value},
        changes=[("number", "—", "next free number")]
        + [(k.replace("_", " "), "—", shown(fields[k])) for k in ordered]
        + [("status", "—", status.value)]
        + ([("next update", "—", shown(next_update))] if "next_update" not in fields else []),
        note=shop_note,
    )


# The workbook's column order (REFERENCE §1, A-U), for a new RO's preview.
NEW_RO_ORDER = (
    "date_made",
    "shop_name",
    "part_number",
    "serial_number",
    "part_description",
    "required_work",
    "date_dropped_off",
    "estimated_cost",
    "final_cost",
    "terms",
    "shop_ref",
    "estimated_delivery",
    "genthrust_status",
    "shop_status",
    "tracking_number",
    "notes",
    "last_updated",
    "next_update",
)


def archive_move(number: str, version: int, current: Archive, target: Archive) -> Preview:
    return Preview(
        title=f"Move RO {number} to {target.sheet}",
        args={"number": number, "archive": target.value},
        changes=[("archive", current.value, target.value)],
        ro_number=number,
        version=version,
        unchanged=f"RO {number} is already in {target.sheet}." if target == current else None,
    )


def _primitive(value: Any) -> Any:
    """A parsed value as the JSON primitive the write operation takes back."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # Decimal money: its exact text
