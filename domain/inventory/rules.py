"""Pure inventory rules: part-number keys, the substring index's terms, conditions, ranking,
low-stock figures and item field checks. Nothing here touches the database."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import InvalidInput
from domain.inventory.views import ItemView
from domain.values import clean_text

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


@dataclass(frozen=True)
class StockLine:
    """One stock line as low stock needs it: a part's quantity in one place."""

    id: int
    part_number: str
    search_key: str
    qty: int
    location: str | None = None
    condition: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class PartStock:
    """One part (its search key) across every place it is kept, with the outlook of the total."""

    search_key: str
    part_number: str  # the spelling of its fullest line
    description: str | None
    total_qty: int
    lines: tuple[StockLine, ...]  # fullest first
    outlook: StockOutlook


def low_parts_ranked(
    totals: Mapping[str, int], usage_90_days: Mapping[str, int], threshold: int
) -> list[tuple[str, StockOutlook]]:
    """The part keys whose total (over every location, negative lines counted as 0) is under
    `threshold`, with the outlook of that total, most urgent first: urgency, fewest days to
    stock-out, smallest total, most used, part key."""
    ranked = [
        (key, stock_outlook(total, usage_90_days.get(key, 0), threshold))
        for key, total in totals.items()
        if total < threshold
    ]
    ranked.sort(key=lambda pair: _urgency_first(pair[0], totals[pair[0]], pair[1]))
    return ranked


def _urgency_first(key: str, total: int, outlook: StockOutlook) -> tuple:
    days = outlook.days_until_stockout
    return (
        URGENCY_ORDER.index(outlook.urgency),
        math.inf if days is None else days,
        total,
        -outlook.usage_90_days,
        key,
    )


def low_stock_parts(
    lines: Iterable[StockLine], usage_90_days: Mapping[str, int], threshold: int
) -> list[PartStock]:
    """Parts whose TOTAL quantity over all locations is under `threshold`, most urgent first
    (the order of `low_parts_ranked`).

    Lines are grouped by part key (the normalised part number search uses: "AN682-12" and
    "an 682 12" are one part), so a part with 1 in one bin and 100 in another is not low; the
    urgency, reorder and days to stock-out (REFERENCE §3) come from the total.
    """
    by_part: dict[str, list[StockLine]] = {}
    for line in lines:
        by_part.setdefault(line.search_key, []).append(line)
    totals = {key: sum(max(line.qty, 0) for line in group) for key, group in by_part.items()}
    parts = []
    for key, outlook in low_parts_ranked(totals, usage_90_days, threshold):
        ordered = tuple(sorted(by_part[key], key=lambda line: (-line.qty, line.id)))
        parts.append(
            PartStock(
                search_key=key,
                part_number=ordered[0].part_number,
                description=next((x.description for x in ordered if x.description), None),
                total_qty=totals[key],
                lines=ordered,
                outlook=outlook,
            )
        )
    return parts


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
