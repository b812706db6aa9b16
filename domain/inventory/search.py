"""Inventory search: find what people type.

Tiers, first one with results wins (as in the old system, REFERENCE §3), reported as
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

from collections.abc import Iterable

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from domain.errors import InvalidInput
from domain.inventory.rules import (
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    MIN_TERM_CHARS,
    RANGE_END,
    TERM_CHARS,
    description_words,
    parse_condition,
    rank_key,
    search_key,
    words_match,
)
from domain.inventory.views import ItemView, SearchResult
from domain.models import InventoryItem, InventorySearchTerm
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import clean_text

# What a hit shows, read as plain rows (Core) rather than ORM objects: search is the API's and
# the chat's most frequent call, and the ORM's loading cost more than the query.
_ITEMS = InventoryItem.__table__
_HIT = select(*(_ITEMS.c[name] for name in ItemView.model_fields if name != "match"))


def _rows(s: Session, query) -> list[Row]:
    return s.connection().execute(query).all()


class InventorySearch:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

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
    def _views(rows: Iterable[Row], match: str) -> list[ItemView]:
        views, seen = [], set()
        for row in rows:
            if row.id not in seen:
                seen.add(row.id)
                views.append(ItemView(**row._mapping, match=match))
        return views

    @staticmethod
    def _where_condition(query, cond: str | None):
        return query.where(InventoryItem.condition == cond) if cond else query

    def _exact(self, s: Session, key: str, _words, cond, cap: int):
        query = _HIT.where(InventoryItem.search_key == key)
        rows = _rows(s, self._where_condition(query, cond).limit(cap + 1))
        return self._views(rows[:cap], "exact"), len(rows) > cap

    def _prefix(self, s: Session, key: str, _words, cond, cap: int):
        query = _HIT.where(
            InventoryItem.search_key > key, InventoryItem.search_key < key + RANGE_END
        )
        query = self._where_condition(query, cond).order_by(InventoryItem.search_key)
        rows = _rows(s, query.limit(cap + 1))
        return self._views(rows[:cap], "prefix"), len(rows) > cap

    def _substring(self, s: Session, key: str, words: list[str], cond, cap: int):
        found: list[ItemView] = []
        truncated = False
        if len(key) >= MIN_TERM_CHARS:
            term = key[:TERM_CHARS]
            query = (
                _HIT.select_from(_ITEMS)
                .join(InventorySearchTerm, InventorySearchTerm.item_id == InventoryItem.id)
                .where(
                    InventorySearchTerm.kind == "K",
                    InventorySearchTerm.term >= term,
                    InventorySearchTerm.term < term + RANGE_END,
                )
            )
            rows = _rows(s, self._where_condition(query, cond).limit(cap + 1))
            truncated = len(rows) > cap
            # Terms are cut at TERM_CHARS; a longer query is confirmed against the whole key.
            found = [v for v in self._views(rows[:cap], "substring") if key in v.search_key]
        if words and len(found) < cap:
            lead = max(words, key=len)
            query = (
                _HIT.select_from(_ITEMS)
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
            rows = _rows(s, self._where_condition(query, cond).limit(room + 1))
            truncated = truncated or len(rows) > room
            known = {v.id for v in found}
            found += [
                v
                for v in self._views(rows[:room], "description")
                if v.id not in known and words_match(v.description, words)
            ]
        return found, truncated
