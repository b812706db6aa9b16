"""Bulk changes with one confirmation: many ROs, one card, one command per RO.

A selection (RO numbers, or a simple filter: status, shop, archive, status older than N days)
is turned into one card: each RO's own preview — the same rules as a single change — as one row
old -> new, and the rows refused with why. The card is one approval row (operation `apply_bulk`);
pressing Confirm commits it together with one child approval per RO (`children`), each a durable
command of its own (change_status / archive_repair_order at the version previewed), so each is
applied exactly once and one refusal does not undo the others. Cancel creates none.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.errors import InvalidInput, NotFound
from domain.models import RepairOrder, Shop
from domain.models.base import utcnow
from domain.models.chat import Approval, ApprovalState
from domain.previews import Preview
from domain.repair_orders import shop_key
from domain.shops import no_such_shop
from domain.statuses import Status
from domain.values import clean_text, normalize_ro_number

BULK_OPERATION = "apply_bulk"  # jobs/operations/bulk.py; listed in jobs/commands.py COMMANDS
MAX_DAYS = 36_500


@dataclass(frozen=True)
class Selection:
    """Which ROs: the numbers given, or every RO matching the filter."""

    numbers: tuple[str, ...] = ()
    status: Status | None = None
    shop: str | None = None
    archive: Archive = Archive.ACTIVE
    older_than_days: int | None = None

    def describe(self) -> str:
        if self.numbers:
            return "RO " + ", ".join(self.numbers[:5]) + (" …" if len(self.numbers) > 5 else "")
        parts = [f"{self.status} " if self.status else "", f"ROs in {self.archive.sheet}"]
        if self.shop:
            parts.append(f" at {self.shop}")
        if self.older_than_days is not None:
            parts.append(f" in that status over {self.older_than_days} days")
        return "".join(parts)


def selection(
    numbers: Sequence[object] | None = None,
    status: Status | None = None,
    shop: str | None = None,
    archive: Archive = Archive.ACTIVE,
    older_than_days: int | None = None,
) -> Selection:
    """A checked selection: numbers or a filter (not both), never "everything"."""
    clean_shop = clean_text(shop, field="shop", max_chars=200)
    if older_than_days is not None:
        try:
            older_than_days = int(older_than_days)
        except (TypeError, ValueError):
            raise InvalidInput("older_than_days must be a whole number of days.") from None
        if not 0 <= older_than_days <= MAX_DAYS:
            raise InvalidInput(f"older_than_days must be between 0 and {MAX_DAYS}.")
    chosen = tuple(dict.fromkeys(normalize_ro_number(n) for n in numbers or ()))
    filtered = status is not None or clean_shop is not None or older_than_days is not None
    if chosen and filtered:
        raise InvalidInput("Give either RO numbers or a filter (status, shop, age), not both.")
    if not chosen and not filtered:
        raise InvalidInput(
            "Say which ROs: their numbers, or a filter — a status, a shop, older than N days."
        )
    return Selection(chosen, status, clean_shop, archive, older_than_days)


def too_many(count: int, cap: int) -> InvalidInput:
    return InvalidInput(
        f"That selects {count} ROs; one confirmation can change at most {cap}. "
        "Narrow it down (a shop, a status, older than N days) or do it in parts."
    )


def select_numbers(session: Session, sel: Selection, today: date, cap: int) -> list[str]:
    """The RO numbers a selection means, in number order; the filter runs in the database.
    More than `cap` is refused with the count; a filter matching nothing says so."""
    if sel.numbers:
        if len(sel.numbers) > cap:
            raise too_many(len(sel.numbers), cap)
        return list(sel.numbers)
    query = select(RepairOrder.number).where(RepairOrder.archive == sel.archive.value)
    if sel.status is not None:
        query = query.where(RepairOrder.status == sel.status.value)
    key = shop_key(sel.shop)
    if key:
        query = query.where(RepairOrder.shop_key.like(_like(key), escape="\\"))
    if sel.older_than_days is not None:
        query = query.where(RepairOrder.status_date <= today - timedelta(days=sel.older_than_days))
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if count > cap:
        raise too_many(count, cap)
    if count == 0:
        if key and not _shop_known(session, key):
            raise no_such_shop(session, sel.shop or "")
        raise InvalidInput(f"No RO matches: {sel.describe()}.")
    return list(session.scalars(query.order_by(RepairOrder.seq, RepairOrder.number)))


def _shop_known(session: Session, key: str) -> bool:
    pattern = _like(key)
    hit = session.scalar(
        select(func.count()).where(
            or_(
                select(Shop.id).where(Shop.name_key.like(pattern, escape="\\")).exists(),
                select(RepairOrder.id)
                .where(RepairOrder.shop_key.like(pattern, escape="\\"))
                .exists(),
            )
        )
    )
    return bool(hit)


def _like(key: str) -> str:
    return "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# ---- the card: per-row previews into one ----------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One RO that will change: the command to apply and what the person sees."""

    number: str
    title: str  # the single change's title, e.g. "Change the status of RO 38103"
    args: dict[str, Any]
    version: int | None
    field: str  # what changes, e.g. "status", "archive"
    old: str
    new: str


@dataclass(frozen=True)
class Refusal:
    number: str
    reason: str


def plan(
    numbers: Sequence[str], preview_one: Callable[[str], Preview]
) -> tuple[list[Row], list[Refusal]]:
    """Each RO's preview by the single-change rules; a refusal (bad input, not found, nothing
    to change) becomes a refused row with its reason instead of stopping the others."""
    rows: list[Row] = []
    refused: list[Refusal] = []
    for number in numbers:
        try:
            shown = preview_one(number)
        except (InvalidInput, NotFound) as exc:
            refused.append(Refusal(number, str(exc)))
            continue
        if shown.unchanged:
            refused.append(Refusal(shown.ro_number or number, shown.unchanged))
            continue
        field, old, new = shown.changes[0]
        number = shown.ro_number or number
        rows.append(Row(number, shown.title, shown.args, shown.version, field, old, new))
    return rows, refused


def card(title: str, operation: str, rows: list[Row], refused: list[Refusal]) -> Preview:
    """One approval for all rows: title, a row per RO (old -> new), the refused ones with why.
    `args` are what Confirm turns into one command per RO."""
    lines = [f"{r.number} — {r.reason}" for r in refused]
    note = "Each RO is applied as its own change: one refused then does not stop the others."
    if refused:
        note = f"Left out ({len(refused)}): " + "; ".join(lines) + ". " + note
    return Preview(
        title=title,
        args={
            "batch": str(uuid.uuid4()),
            "operation": operation,
            "rows": [
                {
                    "number": r.number,
                    "title": r.title,
                    "args": r.args,
                    "version": r.version,
                    "field": r.field,
                    "old": r.old,
                    "new": r.new,
                }
                for r in rows
            ],
            "refused": [{"number": r.number, "reason": r.reason} for r in refused],
        },
        changes=[(f"RO {r.number}", r.old, r.new) for r in rows],
        note=note,
        unchanged=None
        if rows
        else (f"None of the {len(refused)} ROs can change: " + "; ".join(lines) + "."),
    )


def child_call_id(batch: str, index: int) -> str:
    return f"{batch}:{index}"


def children(parent: Approval, decided_by: str) -> list[Approval]:
    """One confirmed command per RO of a confirmed bulk approval (added in the same
    transaction as the decision)."""
    args = parent.args or {}
    now = utcnow()
    return [
        Approval(
            thread_id=parent.thread_id,
            tool_call_id=child_call_id(args["batch"], i),
            tool_name=parent.tool_name,
            args=row["args"],
            preview={
                "title": row["title"],
                "changes": [[row["field"], row["old"], row["new"]]],
                "note": None,
            },
            requested_by=parent.requested_by,
            ro_number=row["number"],
            expected_version=row["version"],
            operation=args["operation"],
            state=ApprovalState.CONFIRMED.value,
            decided_by=decided_by,
            decided_at=now,
        )
        for i, row in enumerate(args.get("rows", []))
    ]
