"""Inventory: find what people type, low stock with reorder advice, using a part on an RO.

Search tiers, first one with results wins (as in the old system, REFERENCE §3), reported as
`search_method`:
  exact      the normalized key equals the query's ("a123456" finds "A123-456");
  prefix     the key starts with the query's key;
  substring  the key contains the query's key, or every query word starts a word of the
             description ("hydraulic pump").
Exact and prefix use the index on `search_key`; substring uses `inventory_search_terms`, where
every suffix of a key and every description word is a row, so "contains 3456" is the prefix range
`term >= '3456' AND term < '3456\\x7f'` — an index range on SQLite and MariaDB alike.
Ranking looks at the first few hundred candidates of a tier, not at every match of a very short
query: what people want is among the closest keys, and a 2-character query must stay fast.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from domain.errors import InvalidInput, NotFound, OutOfStock
from domain.models import (
    InventoryItem,
    InventorySearchTerm,
    InventoryTransaction,
    RepairOrder,
    utcnow,
)
from domain.roles import Actor, Role
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import clean_text, normalize_ro_number

MAX_QUERY_CHARS = 100
MAX_LIMIT = 200
TERM_CHARS = 32  # a term column's width; longer queries are checked against the full key
MIN_TERM_CHARS = 2
RANGE_END = "\x7f"  # sorts after every [A-Z0-9] in binary collation
USAGE_DAYS = 90
LOW_STOCK_FLAG = 2  # REFERENCE §3: a decrement that leaves fewer than 2 flags low stock

CONDITIONS = ("NE", "OH", "SV", "AR")
_CONDITION_ALIASES = {
    "NE": "NE",
    "NEW": "NE",
    "NS": "NE",
    "OH": "OH",
    "OVERHAUL": "OH",
    "OVERHAULED": "OH",
    "SV": "SV",
    "SERVICEABLE": "SV",
    "SVC": "SV",
    "AR": "AR",
    "ASREMOVED": "AR",
    "REMOVED": "AR",
}
_NON_KEY = re.compile(r"[^A-Z0-9]+")


# ---- pure rules -------------------------------------------------------------------------------
def search_key(text: object) -> str:
    """Uppercase ASCII letters and digits only: "a123-456 " and "A123456" give "A123456"."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return _NON_KEY.sub("", folded.upper())


def description_words(text: object) -> list[str]:
    """The searchable words of a description or query, in order, without repeats."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    words: list[str] = []
    for word in _NON_KEY.split(folded.upper()):
        word = word[:TERM_CHARS]
        if len(word) >= MIN_TERM_CHARS and word not in words:
            words.append(word)
    return words


def search_terms(key: str, description: str | None) -> set[tuple[str, str]]:
    """Index rows for one item: (term, kind) with K = key suffix, W = description word."""
    terms = {
        (key[start : start + TERM_CHARS], "K")
        for start in range(len(key) - MIN_TERM_CHARS + 1)
        if len(key) - start >= MIN_TERM_CHARS
    }
    terms |= {(word, "W") for word in description_words(description)}
    return terms


def parse_condition(text: object, *, strict: bool = True) -> str | None:
    """NE/OH/SV/AR from any usual spelling; None for blank (or unknown when not strict)."""
    key = search_key(text)
    if not key:
        return None
    if key in _CONDITION_ALIASES:
        return _CONDITION_ALIASES[key]
    if strict:
        raise InvalidInput(
            f'"{str(text)[:20]}" is not a condition. Use NE (new), OH (overhauled), '
            "SV (serviceable) or AR (as removed)."
        )
    return None


def _condition_rank(condition: str | None) -> int:
    return CONDITIONS.index(condition) if condition in CONDITIONS else len(CONDITIONS)


def rank_key(item: ItemView, query_key: str, query_words: list[str]) -> tuple:
    """Sort key within a tier: closest key first, then stock on hand, then better condition.

    exact: in stock, best condition, most on hand. prefix: shortest key (fewest extra
    characters). substring: key matches before description matches, the match nearer the start
    of the key, shorter keys. Ties end on the part number and id, so the order is stable.
    """
    out_of_stock = item.qty <= 0
    condition = _condition_rank(item.condition)
    tail = (item.search_key, item.id)
    if item.match == "exact":
        return (0, out_of_stock, condition, -item.qty, *tail)
    if item.match == "prefix":
        return (1, len(item.search_key), out_of_stock, condition, *tail)
    if item.match == "substring":
        position = item.search_key.find(query_key)
        return (2, position, len(item.search_key), out_of_stock, condition, *tail)
    words = description_words(item.description)
    first_hit = min(
        (i for i, w in enumerate(words) if any(w.startswith(q) for q in query_words)),
        default=len(words),
    )
    return (3, first_hit, out_of_stock, condition, *tail)


def words_match(description: str | None, query_words: list[str]) -> bool:
    """Every query word starts some word of the description."""
    words = description_words(description)
    return all(any(w.startswith(q) for w in words) for q in query_words)


@dataclass(frozen=True)
class StockOutlook:
    """REFERENCE §3 low-stock figures for one item."""

    usage_90_days: int
    monthly_usage: float
    recommended_reorder: int
    days_until_stockout: int | None
    urgency: str  # critical, high, medium, low


URGENCY_ORDER = ("critical", "high", "medium", "low")


def stock_outlook(qty: int, usage_90_days: int, threshold: int) -> StockOutlook:
    """monthly = usage/3; reorder = max(monthly*3 + 5, 10); days = floor(qty/monthly*30).

    Urgency: critical at 0; high below 2 or under 30 days; medium below the threshold and under
    60 days; low otherwise. With no usage there is no predicted stock-out (the old JavaScript
    compared `null < 30`, which is true, and so called every unused part urgent).
    """
    monthly = usage_90_days / 3
    reorder = math.ceil(max(monthly * 3 + 5, 10))
    days = math.floor(qty / monthly * 30) if monthly > 0 else None
    if qty <= 0:
        urgency = "critical"
    elif qty < 2 or (days is not None and days < 30):
        urgency = "high"
    elif qty < threshold and days is not None and days < 60:
        urgency = "medium"
    else:
        urgency = "low"
    return StockOutlook(usage_90_days, round(monthly, 2), reorder, days, urgency)


# ---- views ----------------------------------------------------------------------------------
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


class LowStockItem(BaseModel):
    item: ItemView
    usage_90_days: int
    monthly_usage: float
    recommended_reorder: int
    days_until_stockout: int | None
    urgency: str


class LowStockReport(BaseModel):
    threshold: int
    total: int
    by_urgency: dict[str, int]
    items: list[LowStockItem]


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


ITEM_FIELDS = (
    "part_number",
    "description",
    "qty",
    "serial_number",
    "condition",
    "location",
    "source_table",
    "source_row",
    "last_seen",
)


# ---- service ----------------------------------------------------------------------------------
class InventoryService:
    def __init__(self, uow: UnitOfWorkFactory, today: Callable[[], date]):
        self._uow = uow
        self.today = today

    # ---- search ---------------------------------------------------------------------------
    def search(self, query: object, *, condition: object = None, limit: int = 25) -> SearchResult:
        text = clean_text(query, field="search text", max_chars=MAX_QUERY_CHARS)
        if not text:
            raise InvalidInput("Type a part number (dashes optional) or words of a description.")
        key = search_key(text)
        words = description_words(text)
        if not key:
            raise InvalidInput(f'"{text[:40]}" has no letters or digits to search for.')
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.")
        cond = parse_condition(condition) if condition not in (None, "") else None
        cap = min(max(limit * 4, 100), 1000)
        with self._uow() as uow:
            s = uow.session
            for method, finder in (
                ("exact", self._exact),
                ("prefix", self._prefix),
                ("substring", self._substring),
            ):
                items, truncated = finder(s, key, words, cond, cap)
                if items:
                    items.sort(key=lambda item: rank_key(item, key, words))
                    return SearchResult(
                        query=text,
                        normalized=key,
                        search_method=method,
                        condition=cond,
                        count=min(len(items), limit),
                        truncated=truncated or len(items) > limit,
                        items=items[:limit],
                    )
        return SearchResult(
            query=text,
            normalized=key,
            search_method="none",
            condition=cond,
            count=0,
            truncated=False,
            items=[],
        )

    @staticmethod
    def _views(rows: Iterable[InventoryItem], match: str) -> list[ItemView]:
        views, seen = [], set()
        for row in rows:
            if row.id not in seen:
                seen.add(row.id)
                views.append(ItemView.model_validate(row).model_copy(update={"match": match}))
        return views

    @staticmethod
    def _where_condition(query, cond: str | None):
        return query.where(InventoryItem.condition == cond) if cond else query

    def _exact(self, s: Session, key: str, _words, cond, cap: int):
        query = select(InventoryItem).where(InventoryItem.search_key == key)
        rows = s.scalars(self._where_condition(query, cond).limit(cap + 1)).all()
        return self._views(rows[:cap], "exact"), len(rows) > cap

    def _prefix(self, s: Session, key: str, _words, cond, cap: int):
        query = select(InventoryItem).where(
            InventoryItem.search_key > key, InventoryItem.search_key < key + RANGE_END
        )
        query = self._where_condition(query, cond).order_by(InventoryItem.search_key)
        rows = s.scalars(query.limit(cap + 1)).all()
        return self._views(rows[:cap], "prefix"), len(rows) > cap

    def _substring(self, s: Session, key: str, words: list[str], cond, cap: int):
        found: list[ItemView] = []
        truncated = False
        if len(key) >= MIN_TERM_CHARS:
            term = key[:TERM_CHARS]
            query = (
                select(InventoryItem)
                .join(InventorySearchTerm, InventorySearchTerm.item_id == InventoryItem.id)
                .where(
                    InventorySearchTerm.kind == "K",
                    InventorySearchTerm.term >= term,
                    InventorySearchTerm.term < term + RANGE_END,
                )
            )
            rows = s.scalars(self._where_condition(query, cond).limit(cap + 1)).all()
            truncated = len(rows) > cap
            # Terms are cut at TERM_CHARS; a longer query is confirmed against the whole key.
            found = [v for v in self._views(rows[:cap], "substring") if key in v.search_key]
        if words and len(found) < cap:
            lead = max(words, key=len)
            query = (
                select(InventoryItem)
                .join(InventorySearchTerm, InventorySearchTerm.item_id == InventoryItem.id)
                .where(
                    InventorySearchTerm.kind == "W",
                    InventorySearchTerm.term >= lead,
                    InventorySearchTerm.term < lead + RANGE_END,
                )
            )
            for other in words:
                if other != lead:  # words are [A-Z0-9] only: nothing to escape
                    query = query.where(InventoryItem.description.like(f"%{other}%"))
            room = cap - len(found)
            rows = s.scalars(self._where_condition(query, cond).limit(room + 1)).all()
            truncated = truncated or len(rows) > room
            known = {v.id for v in found}
            found += [
                v
                for v in self._views(rows[:room], "description")
                if v.id not in known and words_match(v.description, words)
            ]
        return found, truncated

    # ---- low stock ---------------------------------------------------------------------------
    def low_stock(self, *, threshold: int = 5, limit: int = 100) -> LowStockReport:
        if not 1 <= threshold <= 100_000:
            raise InvalidInput("threshold must be between 1 and 100,000.")
        if not 1 <= limit <= 5_000:
            raise InvalidInput("limit must be between 1 and 5,000.")
        since = datetime.combine(self.today() - timedelta(days=USAGE_DAYS), datetime.min.time())
        item = InventoryItem
        with self._uow() as uow:
            s = uow.session
            # Plain rows first: the outlook and ranking need three columns, and building full
            # views for every low line (often thousands) only to return the first `limit` was
            # most of this call's time.
            rows = s.execute(
                select(item.id, item.qty, item.search_key)
                .where(item.qty < threshold)
                .order_by(item.qty, item.id)
            ).all()
            usage = self._usage(s, {r.search_key for r in rows}, since)
            ranked = []
            for row in rows:
                outlook = stock_outlook(row.qty, usage.get(row.search_key, 0), threshold)
                ranked.append(
                    (
                        URGENCY_ORDER.index(outlook.urgency),
                        outlook.days_until_stockout
                        if outlook.days_until_stockout is not None
                        else math.inf,
                        row.qty,
                        -outlook.usage_90_days,
                        row.search_key,
                        row.id,
                        outlook,
                    )
                )
            ranked.sort(key=lambda entry: entry[:6])
            shown = ranked[:limit]
            items = {
                i.id: ItemView.model_validate(i)
                for i in s.scalars(select(item).where(item.id.in_([e[5] for e in shown])))
            }
        entries = [
            LowStockItem(
                item=items[entry[5]],
                usage_90_days=entry[6].usage_90_days,
                monthly_usage=entry[6].monthly_usage,
                recommended_reorder=entry[6].recommended_reorder,
                days_until_stockout=entry[6].days_until_stockout,
                urgency=entry[6].urgency,
            )
            for entry in shown
        ]
        counts = {u: 0 for u in URGENCY_ORDER}
        for entry in ranked:
            counts[entry[6].urgency] += 1
        return LowStockReport(
            threshold=threshold, total=len(ranked), by_urgency=counts, items=entries
        )

    @staticmethod
    def _usage(s: Session, keys: set[str], since: datetime) -> dict[str, int]:
        """Units taken per part key since `since` (DECREMENT rows; delta is negative)."""
        usage: dict[str, int] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            tx = InventoryTransaction
            for part_key, used in s.execute(
                select(tx.part_key, func.sum(-tx.delta))
                .where(tx.part_key.in_(chunk), tx.action == "DECREMENT", tx.at >= since)
                .group_by(tx.part_key)
            ):
                usage[part_key] = int(used or 0)
        return usage

    # ---- use a part on an RO ------------------------------------------------------------------
    def use_part(
        self,
        actor: Actor,
        part: object,
        ro_number: object,
        *,
        note: str | None = None,
        item_id: int | None = None,
    ) -> UseResult:
        """Take one unit for an RO: decrement and log in one transaction, never below zero.

        The decrement is `UPDATE ... SET qty = qty - 1 WHERE id = :id AND qty >= 1`: when two
        people take the last unit at once, the database lets one update through and the other
        matches no row, and gets `OutOfStock`.
        """
        actor.require(Role.EDITOR, "use parts from stock")
        key = search_key(clean_text(part, field="part number", max_chars=MAX_QUERY_CHARS))
        if not key and item_id is None:
            raise InvalidInput("Give the part number to take from stock.")
        number = normalize_ro_number(ro_number)
        clean_note = clean_text(note, field="note", max_chars=1000, multiline=True)
        with self._uow() as uow:
            s = uow.session
            ro_id = s.scalar(select(RepairOrder.id).where(RepairOrder.number == number))
            if ro_id is None:
                raise NotFound(f"There is no RO {number} in any archive.")
            item = self._pick_item(s, key, item_id)
            taken = s.execute(
                update(InventoryItem)
                .where(InventoryItem.id == item.id, InventoryItem.qty >= 1)
                .values(qty=InventoryItem.qty - 1, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                raise OutOfStock(
                    f"No {item.part_number} left at {item.location or 'its location'}"
                    " (someone may have just taken the last one); nothing was changed."
                )
            new_qty = s.scalar(select(InventoryItem.qty).where(InventoryItem.id == item.id))
            txn = InventoryTransaction(
                action="DECREMENT",
                item_id=item.id,
                part_number=item.part_number,
                part_key=item.search_key,
                delta=-1,
                new_qty=new_qty,
                ro_number=number,
                note=clean_note,
                actor=actor.name,
            )
            s.add(txn)
            s.flush()
            uow.emit(
                "inventory.used",
                ro_id=ro_id,
                ro_number=number,
                actor=actor.name,
                item_id=item.id,
                part_number=item.part_number,
                new_qty=new_qty,
            )
            uow.commit()
            return UseResult(
                item_id=item.id,
                part_number=item.part_number,
                location=item.location,
                ro_number=number,
                previous_qty=new_qty + 1,
                new_qty=new_qty,
                is_low_stock=new_qty < LOW_STOCK_FLAG,
                transaction_id=txn.id,
            )

    @staticmethod
    def _pick_item(s: Session, key: str, item_id: int | None) -> InventoryItem:
        if item_id is not None:
            item = s.get(InventoryItem, item_id)
            if item is None or (key and item.search_key != key):
                raise NotFound(f"There is no stock item #{item_id} for part {key or '?'}.")
            return item
        items = s.scalars(
            select(InventoryItem).where(InventoryItem.search_key == key).order_by(InventoryItem.id)
        ).all()
        if not items:
            raise NotFound(f"No stock item has part number {key}. Search for it first.")
        in_stock = [i for i in items if i.qty > 0]
        if len(items) == 1 or len(in_stock) == 1:
            return in_stock[0] if in_stock else items[0]
        if not in_stock:
            raise OutOfStock(f"No {items[0].part_number} left in any location; nothing changed.")
        places = "; ".join(
            f"#{i.id} {i.location or '?'} {i.condition or ''} qty {i.qty}".replace("  ", " ")
            for i in in_stock[:10]
        )
        raise InvalidInput(
            f"{items[0].part_number} is in stock in {len(in_stock)} places ({places}). "
            "Say which item to take (item id)."
        )

    # ---- writing items --------------------------------------------------------------------------
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


def clean_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated item fields (unknown names are an error); blanks come back as None."""
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown stock item fields: {', '.join(sorted(unknown))}.")
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("qty", "source_row"):
            clean[name] = _int(value, name)
        elif name == "condition":
            clean[name] = parse_condition(value, strict=False)
        elif name == "last_seen":
            clean[name] = value if isinstance(value, datetime) else None
        else:
            size = {"description": 500, "source_table": 64}.get(name, 100)
            clean[name] = clean_text(value, field=name.replace("_", " "), max_chars=size)
    if clean.get("part_number") is not None and not search_key(clean["part_number"]):
        raise InvalidInput(f'"{clean["part_number"][:40]}" is not a part number.')
    return clean


def _int(value: object, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InvalidInput(f'{name}: "{str(value)[:20]}" is not a whole number.') from None
    if not number.is_integer() or not -1_000_000_000 < number < 1_000_000_000:
        raise InvalidInput(f"{name}: {str(value)[:20]} is not a whole number.")
    if name == "qty" and number < 0:
        raise InvalidInput("qty cannot be negative.")
    return int(number)


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


def bulk_insert_items(
    session: Session,
    rows: Iterable[Mapping[str, Any]],
    *,
    batch: int = 5_000,
    on_progress: Callable[[int], None] | None = None,
    sort_terms: bool = False,
) -> int:
    """Loader path (demo seed, benchmark): insert many items and their index rows quickly.

    Rows are trusted (generated by us), ids are allocated here after the current maximum, so
    run it from one loader at a time; the caller commits. Returns the number inserted.
    `sort_terms` (for millions of rows): index rows go to a temporary table first and into the
    index in key order at the end, so the B-tree grows at its right edge instead of taking
    random inserts all over a table larger than the buffer pool.
    """
    next_id = (session.scalar(select(func.max(InventoryItem.id))) or 0) + 1
    now = utcnow()
    total = 0
    items: list[dict[str, Any]] = []
    terms: list[tuple[str, int, str]] = []
    terms_table = "inventory_search_terms"
    if sort_terms:
        terms_table = _create_staging_table(session)

    def flush() -> None:
        nonlocal items, terms
        if items:
            session.execute(insert(InventoryItem.__table__), items)
            _insert_terms_fast(session, terms, terms_table)
            if on_progress:
                on_progress(len(items))
        items, terms = [], []

    for row in rows:
        key = search_key(row["part_number"])
        item = {name: row.get(name) for name in ITEM_FIELDS}
        item |= {"id": next_id, "search_key": key, "created_at": now, "updated_at": now}
        item["qty"] = item["qty"] or 0
        items.append(item)
        terms += [(t, next_id, k) for t, k in search_terms(key, row.get("description"))]
        next_id += 1
        total += 1
        if len(items) >= batch:
            flush()
    flush()
    if sort_terms:
        conn = session.connection()
        conn.exec_driver_sql(
            "INSERT INTO inventory_search_terms (term, item_id, kind) SELECT term, item_id, kind"
            f" FROM {terms_table} ORDER BY term, item_id, kind"
        )
        conn.exec_driver_sql(f"{_drop_temporary(conn)} {terms_table}")
    return total


_STAGING = "tmp_inventory_terms_load"


def _create_staging_table(session: Session) -> str:
    """A TEMPORARY table: on MySQL, unlike other DDL, it does not commit the open transaction."""
    conn = session.connection()
    ascii_bin = " CHARACTER SET ascii COLLATE ascii_bin" if conn.dialect.name == "mysql" else ""
    conn.exec_driver_sql(f"{_drop_temporary(conn)} IF EXISTS {_STAGING}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_STAGING} (term VARCHAR(32){ascii_bin} NOT NULL,"
        " item_id INTEGER NOT NULL, kind CHAR(1) NOT NULL)"
    )
    return _STAGING


def _drop_temporary(conn) -> str:
    return "DROP TEMPORARY TABLE" if conn.dialect.name == "mysql" else "DROP TABLE"


_SAFE_TERM = re.compile(r"^[A-Z0-9]{1,32}$")


def _insert_terms_fast(
    session: Session, terms: list[tuple[str, int, str]], table: str = "inventory_search_terms"
) -> None:
    """Multi-row INSERTs written out directly: terms are [A-Z0-9] by construction (checked),
    ids are ints and kinds one letter, so there is nothing to escape, and building the statement
    here is ten times faster than the driver quoting millions of parameters one by one."""
    for start in range(0, len(terms), 10_000):
        chunk = terms[start : start + 10_000]
        if not all(_SAFE_TERM.match(t) and k in ("K", "W") for t, _, k in chunk):
            raise ValueError("search terms must be [A-Z0-9]")
        values = ",".join(f"('{t}',{int(i)},'{k}')" for t, i, k in chunk)
        session.connection().exec_driver_sql(
            f"INSERT INTO {table} (term, item_id, kind) VALUES {values}"
        )


_MARKUP = re.compile(r"<[^>]*>|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip_markup(text: object) -> str | None:
    """Old log notes are history, not input: keep their text, drop tags and control bytes."""
    return None if text is None else _MARKUP.sub("", str(text))[:5000]
