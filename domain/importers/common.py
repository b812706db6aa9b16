"""What both RO importers share: column names, reading one row, and applying it.

Rules (the same for the workbook and the legacy database):
- Every row read is accounted for: created, updated, unchanged or skipped (with the reason);
  the totals add up to the rows read.
- Nothing is ever deleted, and a blank cell never clears a value already in the database.
- Every write goes through `RepairOrderService` (create, update, change_status, archive) with
  `touch=False` / `enforce_transitions=False`, as the "import" actor, so history, the activity
  log and outbox events are recorded as for any other change; dates stay as in the source.
- Unknown status text: the RO is kept with no status and the text goes into its notes
  ("[import] status in file: ..."), so nothing is lost and a person can fix it.
- Unreadable dates or amounts: the field is left empty and the raw text goes into the notes.
- `HISTORY:[json]|NOTES:text` in NOTES: the notes keep the text; the history entries become the
  note of the RO's first status-history row when the import creates it.
- The same RO twice (two sheets or tables, or two rows): the later stage wins
  (Returns > Paid > Net > Active, then the later row); the other rows are skipped, saying so.
- Dry run: the same planning and comparison, and no write.
- Re-running an import finds every row unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from domain.archive import Archive
from domain.errors import InvalidInput, RoTrackerError
from domain.repair_orders import RepairOrderService, RepairOrderView
from domain.roles import Actor, Role
from domain.statuses import Status, try_parse_status
from domain.values import has_bidi_controls, normalize_ro_number, strip_bidi_controls

Progress = Callable[[int], None]

# Workbook header / legacy column, reduced to [A-Z0-9] -> RepairOrderService field.
RO_COLUMNS: dict[str, str] = {
    "RO": "number",
    "RONO": "number",
    "RONUMBER": "number",
    "DATEMADE": "date_made",
    "SHOPNAME": "shop_name",
    "SHOP": "shop_name",
    "PART": "part_number",
    "PARTNO": "part_number",
    "PARTNUMBER": "part_number",
    "SERIAL": "serial_number",
    "SERIALNO": "serial_number",
    "SERIALNUMBER": "serial_number",
    "PARTDESCRIPTION": "part_description",
    "DESCRIPTION": "part_description",
    "REQWORK": "required_work",
    "REQUIREDWORK": "required_work",
    "DATEDROPPEDOFF": "date_dropped_off",
    "ESTIMATEDCOST": "estimated_cost",
    "ESTCOST": "estimated_cost",
    "FINALCOST": "final_cost",
    "TERMS": "terms",
    "SHOPREF": "shop_ref",
    "SHOPREFNO": "shop_ref",
    "SHOPREFERENCE": "shop_ref",
    "ESTIMATEDDELIVERYDATE": "estimated_delivery",
    "ESTIMATEDDELIVERY": "estimated_delivery",
    "ETA": "estimated_delivery",
    "CURENTSTATUS": "status",
    "CURRENTSTATUS": "status",
    "STATUS": "status",
    "CURENTSTATUSDATE": "status_date",
    "CURRENTSTATUSDATE": "status_date",
    "STATUSDATE": "status_date",
    "GENTHRUSTSTATUS": "genthrust_status",
    "SHOPSTATUS": "shop_status",
    "TRACKINGNUMBERPICKINGUP": "tracking_number",
    "TRACKINGNUMBER": "tracking_number",
    "TRACKING": "tracking_number",
    "NOTES": "notes",
    "LASTDATEUPDATED": "last_updated",
    "NEXTDATETOUPDATE": "next_update",
}
# Columns A-U in the workbook's order (REFERENCE §1), for a sheet whose headers we cannot read.
POSITIONAL = (
    "number",
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
    "status",
    "status_date",
    "genthrust_status",
    "shop_status",
    "tracking_number",
    "notes",
    "last_updated",
    "next_update",
)
STAGE = {Archive.ACTIVE: 0, Archive.NET: 1, Archive.PAID: 2, Archive.RETURNS: 3}
_HISTORY = re.compile(r"^\s*HISTORY:\s*(?P<json>.*?)\s*\|\s*NOTES:(?P<notes>.*)$", re.DOTALL)
_UNSAFE = re.compile(r"[<>\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_FIELDS = {"date_made", "date_dropped_off", "estimated_delivery", "last_updated", "next_update"}


def header_key(text: object) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(text or "").upper())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---- report ----------------------------------------------------------------------------------
@dataclass
class RowOutcome:
    source: str  # "Active!12", "active#7", "Shops!3"
    key: str | None  # RO number or shop name
    action: str  # created, updated, unchanged, skipped
    reason: str | None = None
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)  # repair orders
    shops: list[RowOutcome] = field(default_factory=list)
    inventory: dict[str, int] = field(default_factory=dict)  # legacy only
    notes: list[str] = field(default_factory=list)  # sheets ignored, header fallbacks...

    @staticmethod
    def _totals(rows: list[RowOutcome]) -> dict[str, int]:
        totals = {"read": len(rows), "created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        for row in rows:
            totals[row.action] += 1
        return totals

    @property
    def totals(self) -> dict[str, int]:
        return self._totals(self.rows)

    @property
    def shop_totals(self) -> dict[str, int]:
        return self._totals(self.shops)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "totals": self.totals,
            "shop_totals": self.shop_totals,
            "inventory": self.inventory,
            "notes": self.notes,
            "rows": [r.__dict__ for r in self.rows],
            "shops": [r.__dict__ for r in self.shops],
        }

    def summary(self) -> str:
        t = self.totals
        verb = "Would import" if self.dry_run else "Imported"
        parts = [
            f"{verb} {t['read']} RO rows from {self.source}: {t['created']} created, "
            f"{t['updated']} updated, {t['unchanged']} unchanged, {t['skipped']} skipped."
        ]
        if self.shops:
            s = self.shop_totals
            parts.append(
                f"Shops: {s['created']} created, {s['updated']} updated, "
                f"{s['unchanged']} unchanged, {s['skipped']} skipped."
            )
        if self.inventory:
            parts.append(
                "Inventory: " + ", ".join(f"{v} {k}" for k, v in self.inventory.items()) + "."
            )
        return " ".join(parts)


# ---- one RO row ------------------------------------------------------------------------------
@dataclass
class RoRow:
    """A source row read and validated, ready to compare with the database."""

    source: str
    order: int  # position in the whole import, for "the later row wins"
    number: str
    archive: Archive
    fields: dict[str, Any]
    status: Status | None
    history_note: str | None
    warnings: list[str]


def _safe(value: object, limit: int = 60) -> str:
    return str(strip_bidi_controls(_UNSAFE.sub("", str(value)))).strip()[:limit]


def without_bidi(raw: dict[str, object]) -> tuple[dict[str, object], str | None]:
    """The row with text-direction controls removed from its text cells, and the warning that
    says from which. Old files carry them (pasted from mail); a person typing one is refused,
    but a row of history is kept, minus what could make it display backwards."""
    touched = [k for k, v in raw.items() if isinstance(v, str) and has_bidi_controls(v)]
    if not touched:
        return raw, None
    clean = {k: strip_bidi_controls(v) for k, v in raw.items()}
    names = ", ".join(k.replace("_", " ") for k in touched)
    return clean, f"removed invisible text-direction characters from {names}"


def split_history(notes: object) -> tuple[str | None, str | None, str | None]:
    """(notes text, history summary, warning) from a NOTES cell that may embed HISTORY:[...]."""
    if is_blank(notes):
        return None, None, None
    text = str(notes)
    match = _HISTORY.match(text)
    if not match:
        return text, None, None
    rest = match["notes"].strip() or None
    try:
        entries = json.loads(match["json"])
        if not isinstance(entries, list):
            raise ValueError
    except ValueError:
        return text, None, "HISTORY in NOTES is not readable JSON; kept the whole text as notes"
    lines = []
    for entry in entries:
        if isinstance(entry, dict):
            when = entry.get("date") or entry.get("timestamp") or entry.get("changed_at") or ""
            what = entry.get("status") or entry.get("action") or entry.get("note") or ""
            who = entry.get("user") or entry.get("by") or entry.get("changed_by")
            line = " ".join(_safe(p) for p in (when, what) if p)
            lines.append(line + (f" ({_safe(who)})" if who else ""))
        else:
            lines.append(_safe(entry))
    summary = "History from the old system: " + "; ".join(x for x in lines if x)
    return rest, summary[:4000] if lines else None, None


def read_ro_row(
    service: RepairOrderService,
    raw: dict[str, object],
    *,
    archive: Archive,
    source: str,
    order: int,
) -> RoRow | RowOutcome:
    """Validate one row (field name -> raw value); a `RowOutcome` (skipped) if it cannot be used."""
    raw, bidi_warning = without_bidi(raw)
    if all(is_blank(v) for v in raw.values()):
        return RowOutcome(source, None, "skipped", "blank row")
    raw_number = raw.get("number")
    if is_blank(raw_number):
        return RowOutcome(source, None, "skipped", "no RO number")
    try:
        number = normalize_ro_number(raw_number)
        if not any(ch.isdigit() for ch in number):  # "TBD", "N/A": placeholders, not numbers
            raise InvalidInput(number)
    except InvalidInput:
        return RowOutcome(source, None, "skipped", f'"{_safe(raw_number, 30)}" is not an RO number')
    warnings: list[str] = [bidi_warning] if bidi_warning else []
    kept: list[str] = []  # raw text we could not use, preserved in the notes
    notes, history, warning = split_history(raw.get("notes"))
    if warning:
        warnings.append(warning)
    status = None
    raw_status = raw.get("status")
    if not is_blank(raw_status):
        status = try_parse_status(str(raw_status))
        if status is None:
            warnings.append(f'unknown status "{_safe(raw_status)}" kept in notes; no status set')
            kept.append(f"status in file: {_safe(raw_status)}")
    fields: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ("number", "status", "notes") or is_blank(value):
            continue
        try:
            parsed = service.parse_fields({name: value})
        except RoTrackerError as exc:
            warnings.append(f"{name.replace('_', ' ')} left empty: {exc}")
            kept.append(f"unreadable {name.replace('_', ' ')}: {_safe(value)}")
            continue
        if parsed.get(name) is not None:
            fields[name] = parsed[name]
    if kept:
        notes = "\n".join([*([notes] if notes else []), *(f"[import] {k}" for k in kept)])
    if notes is not None:
        try:
            parsed = service.parse_fields({"notes": notes})
            if parsed.get("notes") is not None:
                fields["notes"] = parsed["notes"]
        except RoTrackerError as exc:
            warnings.append(f"notes left empty: {exc}")
    return RoRow(source, order, number, archive, fields, status, history, warnings)


def pick_winners(rows: list[RoRow]) -> tuple[list[RoRow], list[RowOutcome]]:
    """One row per RO number: the later stage, then the later row; the others are skipped."""
    best: dict[str, RoRow] = {}
    for row in rows:
        current = best.get(row.number)
        if current is None or (STAGE[row.archive], row.order) > (
            STAGE[current.archive],
            current.order,
        ):
            best[row.number] = row
    losers = [
        RowOutcome(
            row.source,
            row.number,
            "skipped",
            f"RO {row.number} also at {best[row.number].source}, which wins "
            f"({best[row.number].archive.sheet}: later stage, or the later row)",
        )
        for row in rows
        if best[row.number] is not row
    ]
    return sorted(best.values(), key=lambda r: r.order), losers


# ---- applying ---------------------------------------------------------------------------------
def _differences(row: RoRow, current: RepairOrderView) -> dict[str, Any]:
    return {
        name: value
        for name, value in row.fields.items()
        if name != "status_date" and getattr(current, name) != value
    }


def apply_ro_row(
    service: RepairOrderService, actor: Actor, row: RoRow, *, dry_run: bool
) -> RowOutcome:
    """Create or update one RO through the service; report what changed (or would)."""
    outcome = RowOutcome(row.source, row.number, "unchanged", warnings=list(row.warnings))
    current = service.find(row.number)
    if current is None:
        outcome.action = "created"
        outcome.changes = sorted(row.fields)
        if not dry_run:
            service.create(
                actor,
                row.fields,
                number=row.number,
                status=row.status,
                archive=row.archive,
                touch=False,
                note=row.history_note,
            )
        return outcome
    changes = _differences(row, current)
    new_status = row.status is not None and row.status != current.status
    new_archive = row.archive != current.archive
    outcome.changes = sorted(changes) + ["status"] * new_status + ["archive"] * new_archive
    if not outcome.changes:
        return outcome
    outcome.action = "updated"
    if dry_run:
        return outcome
    if changes:
        current = service.update(actor, row.number, changes, touch=False)
    if new_status:
        before = current
        current = service.change_status(
            actor,
            row.number,
            row.status,
            enforce_transitions=False,
            status_date=row.fields.get("status_date"),
            note="Imported",
        )
        # change_status moves the follow-up dates to today; an import keeps the source's.
        restore = {
            name: row.fields.get(name, getattr(before, name))
            for name in ("last_updated", "next_update")
        }
        restore = {k: v for k, v in restore.items() if getattr(current, k) != v}
        if restore:
            current = service.update(actor, row.number, restore, touch=False)
    if new_archive:
        service.archive(actor, row.number, row.archive)
    return outcome


def import_ro_rows(
    service: RepairOrderService,
    actor: Actor,
    rows: Iterable[RoRow | RowOutcome],
    *,
    dry_run: bool,
    on_progress: Progress | None = None,
) -> list[RowOutcome]:
    """Pick one row per RO, apply them in source order; returns an outcome for every row."""
    rows = list(rows)
    valid = [r for r in rows if isinstance(r, RoRow)]
    outcomes = [r for r in rows if isinstance(r, RowOutcome)]
    winners, losers = pick_winners(valid)
    outcomes += losers
    if on_progress and outcomes:
        on_progress(len(outcomes))
    for row in winners:
        try:
            outcomes.append(apply_ro_row(service, actor, row, dry_run=dry_run))
        except RoTrackerError as exc:
            outcomes.append(RowOutcome(row.source, row.number, "skipped", f"refused: {exc}"))
        if on_progress:
            on_progress(1)
    return outcomes


def require_import_role(actor: Actor, dry_run: bool) -> None:
    actor.require(Role.VIEWER if dry_run else Role.ADMIN, "import data")
