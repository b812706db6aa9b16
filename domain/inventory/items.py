"""Writing stock items (their search index rows included) and importing the old stock log."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from domain.errors import InvalidInput
from domain.inventory.rules import clean_item, search_key, search_terms
from domain.inventory.views import ItemChange
from domain.models import InventoryItem, InventorySearchTerm, InventoryTransaction
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import BIDI_CONTROLS, clean_text, normalize_ro_number


class Items:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def save_item(
        self,
        actor: Actor,
        values: Mapping[str, Any],
        *,
        item_id: int | None = None,
        dry_run: bool = False,
    ) -> ItemChange:
        """Create an item or update one (by id, or by its source table and row), index included."""
        actor.require(Role.EDITOR, "change stock items")
        clean = clean_item(values)
        with self._uow() as uow:
            s = uow.session
            item = s.get(InventoryItem, item_id) if item_id is not None else None
            if item is None and clean.get("source_table") and clean.get("source_row") is not None:
                item = s.scalar(
                    select(InventoryItem).where(
                        InventoryItem.source_table == clean["source_table"],
                        InventoryItem.source_row == clean["source_row"],
                    )
                )
            if item is None:
                if not clean.get("part_number"):
                    raise InvalidInput("A stock item needs a part number.")
                if dry_run:
                    return ItemChange("created", 0)
                item = InventoryItem(**clean, search_key=search_key(clean["part_number"]))
                item.qty = item.qty or 0
                s.add(item)
                s.flush()
                _add_terms(s, item.id, item.search_key, item.description)
                uow.commit()
                return ItemChange("created", item.id)
            changed = [
                name
                for name, value in clean.items()
                if name != "last_seen" and value is not None and getattr(item, name) != value
            ]
            if not changed or dry_run:
                return ItemChange("updated" if changed else "unchanged", item.id, changed)
            old_terms = search_terms(item.search_key, item.description)
            for name in changed:
                setattr(item, name, clean[name])
            item.search_key = search_key(item.part_number)
            new_terms = search_terms(item.search_key, item.description)
            _replace_terms(s, item.id, old_terms, new_terms)
            uow.commit()
            return ItemChange("updated", item.id, changed)

    def import_transactions(
        self, actor: Actor, records: list[dict[str, Any]], *, dry_run: bool = False
    ) -> tuple[int, int, int]:
        """Append historical log rows (legacy `transactions`), each once: rows whose `import_ref`
        is already stored are left alone. Quantities are not touched: the stock lines carry
        today's counts. Returns (created, unchanged, refused)."""
        actor.require(Role.ADMIN, "import stock transactions")
        created = unchanged = refused = 0
        with self._uow() as uow:
            s = uow.session
            refs = [r["import_ref"] for r in records]
            known: set[str] = set()
            for start in range(0, len(refs), 500):
                known |= set(
                    s.scalars(
                        select(InventoryTransaction.import_ref).where(
                            InventoryTransaction.import_ref.in_(refs[start : start + 500])
                        )
                    )
                )
            for record in records:
                if record["import_ref"] in known:
                    unchanged += 1
                    continue
                at = record.get("at")
                if isinstance(at, str):
                    try:
                        at = datetime.fromisoformat(at.strip())
                    except ValueError:
                        at = None
                if not isinstance(at, datetime):
                    refused += 1
                    continue
                try:
                    number = normalize_ro_number(record["ro_number"])
                except InvalidInput:
                    number = None
                known.add(record["import_ref"])
                created += 1
                if dry_run:
                    continue
                s.add(
                    InventoryTransaction(
                        at=at,
                        action=str(record["action"]).upper()[:20],
                        part_number=record["part_number"],
                        part_key=search_key(record["part_number"]),
                        delta=record["delta"],
                        new_qty=record["new_qty"],
                        ro_number=number,
                        note=clean_text(
                            _strip_markup(record.get("note")),
                            field="note",
                            max_chars=5000,
                            multiline=True,
                        ),
                        actor=actor.name,
                        import_ref=record["import_ref"],
                    )
                )
            if not dry_run:
                uow.commit()
        return created, unchanged, refused


def _add_terms(s: Session, item_id: int, key: str, description: str | None) -> None:
    rows = [{"term": t, "item_id": item_id, "kind": k} for t, k in search_terms(key, description)]
    if rows:
        s.execute(insert(InventorySearchTerm.__table__), rows)


def _replace_terms(s: Session, item_id: int, old: set, new: set) -> None:
    for term, kind in old - new:
        s.execute(
            delete(InventorySearchTerm).where(
                InventorySearchTerm.term == term,
                InventorySearchTerm.item_id == item_id,
                InventorySearchTerm.kind == kind,
            )
        )
    added = [{"term": t, "item_id": item_id, "kind": k} for t, k in new - old]
    if added:
        s.execute(insert(InventorySearchTerm.__table__), added)


_MARKUP = re.compile(rf"<[^>]*>|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{BIDI_CONTROLS}]")


def _strip_markup(text: object) -> str | None:
    """Old log notes are history, not input: keep their text, drop tags and control bytes."""
    return None if text is None else _MARKUP.sub("", str(text))[:5000]
