"""What the desk asks of its repair orders, as one validated value: `RoQuery`.

`RoQuery.build(raw, today)` turns loose arguments (a tool's, the CLI's) into filters the database
can run: statuses through the status vocabulary, part and serial numbers through the inventory's
normalization, RO numbers to their sequence, dates parsed, every range checked (from <= to), the
sort named, the cursor read. Pure: no database here; `domain/ro_search.py` runs it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.archive import Archive, parse_archive
from domain.errors import InvalidInput
from domain.inventory.rules import description_words, search_key
from domain.statuses import Status, parse_status
from domain.values import clean_text, normalize_ro_number, parse_date, parse_money, ro_sequence

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_DAYS = 36500
MAX_WORDS = 8
# sort name -> RepairOrder attribute (domain/ro_search.py maps it to a column).
SORTS = {
    "next_update": "next_update",
    "ro_number": "seq",
    "date_made": "date_made",
    "status_date": "status_date",
    "eta": "estimated_delivery",
    "last_updated": "last_updated",
    "dropped_off": "date_dropped_off",
    "cost": "cost",  # not a column: the final cost, else the estimate (domain/costs.py)
}
# (name of the range, field people know it by)
DATE_RANGES = (
    "date_made",
    "dropped_off",
    "status_date",
    "eta",
    "next_update",
    "last_updated",
    "came_back",
)
# Fields a person chases when they are blank ("shipped with no tracking number"): name ->
# RepairOrder attribute (domain/ro_search.py maps it to a column).
MISSING = {
    "tracking_number": "tracking_number",
    "eta": "estimated_delivery",
    "estimated_cost": "estimated_cost",
    "final_cost": "final_cost",
    "serial_number": "serial_number",
    "shop_ref": "shop_ref",
    "next_update": "next_update",
}
MISSING_ALIASES = {
    "tracking": "tracking_number",
    "estimated_delivery": "eta",
    "cost": "estimated_cost",
    "estimate": "estimated_cost",
    "serial": "serial_number",
    "shop_reference": "shop_ref",
    "follow_up": "next_update",
}


@dataclass(frozen=True)
class DateRange:
    start: date | None = None
    end: date | None = None

    def __bool__(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class RoQuery:
    """Filters (all optional, all must hold), sort, page size and where the page starts."""

    archive: Archive | None = None  # None: every archive
    statuses: tuple[Status, ...] = ()
    overdue: bool = False  # active, next update before today
    eta_passed: bool = False  # active, ETA before today, not received yet
    shop: str | None = None  # shop key text (uppercase, single spaces); "contains"
    part_key: str | None = None  # normalized part number; "starts with"
    serial_key: str | None = None  # normalized serial number; exact
    words: tuple[str, ...] = ()  # each in description, required work or notes
    ro_from: int | None = None
    ro_to: int | None = None
    date_made: DateRange = DateRange()
    dropped_off: DateRange = DateRange()  # the day the unit went to the shop
    status_date: DateRange = DateRange()
    eta: DateRange = DateRange()
    next_update: DateRange = DateRange()
    last_updated: DateRange = DateRange()
    came_back: DateRange = DateRange()  # the day the unit first came back (status history)
    status_before: date | None = None  # in the current status since before this day
    at_shop_since_before: date | None = None  # at the shop (open), dropped off before this day
    cost_over: Decimal | None = None  # the final cost, else the estimate, above this
    cost_under: Decimal | None = None  # ... below this
    missing: tuple[str, ...] = ()  # names in MISSING: each blank (no value, or only spaces)
    sort: str = "-ro_number"
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def build(cls, raw: dict[str, Any], today: date) -> RoQuery:
        """A query from loose arguments (see the tool `search_repair_orders`); `InvalidInput`
        with the reason for anything that cannot be searched for."""
        known = {
            "shop",
            "status",
            "archive",
            "overdue",
            "part_number",
            "serial_number",
            "text",
            "ro_from",
            "ro_to",
            "in_status_for_more_than_days",
            "at_shop_for_more_than_days",
            "cost_over",
            "cost_under",
            "eta_passed",
            "missing",
            "sort",
            "limit",
            "cursor",
        } | {f"{name}_{end}" for name in DATE_RANGES for end in ("from", "to")}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InvalidInput(
                f"Unknown filter {unknown[0]!r}. Filters: {', '.join(sorted(known))}."
            )
        values: dict[str, Any] = {}
        archive = raw.get("archive")
        if archive not in (None, "") and str(archive).strip().upper() != "ALL":
            values["archive"] = parse_archive(archive)
        values["overdue"] = _flag(raw.get("overdue"), "overdue")
        values["eta_passed"] = _flag(raw.get("eta_passed"), "eta_passed")
        values["at_shop_since_before"] = _days_before(raw, "at_shop_for_more_than_days", today)
        if values["overdue"] or values["eta_passed"] or values["at_shop_since_before"]:
            if values.get("archive", Archive.ACTIVE) is not Archive.ACTIVE:
                raise InvalidInput(
                    "overdue, eta_passed and at_shop_for_more_than_days are about open ROs "
                    "(the Active archive); they cannot be combined with archive "
                    f"{values['archive'].value}."
                )
            values["archive"] = Archive.ACTIVE
        if raw.get("status") not in (None, ""):
            parts = (
                raw["status"] if isinstance(raw["status"], list) else str(raw["status"]).split(",")
            )
            values["statuses"] = tuple(
                dict.fromkeys(parse_status(p) for p in parts if str(p).strip())
            )
        shop = clean_text(raw.get("shop"), field="shop", max_chars=200)
        if shop:
            values["shop"] = " ".join(shop.upper().split())
        part = clean_text(raw.get("part_number"), field="part number", max_chars=100)
        if part:
            values["part_key"] = _key(part, "part number")
        serial = clean_text(raw.get("serial_number"), field="serial number", max_chars=100)
        if serial:
            values["serial_key"] = _key(serial, "serial number")
        text = clean_text(raw.get("text"), field="text", max_chars=200)
        if text:
            words = description_words(text)
            if not words:
                raise InvalidInput(f'"{text[:40]}" has no word to search for (2 letters or more).')
            values["words"] = tuple(words[:MAX_WORDS])
        values["ro_from"] = _ro(raw.get("ro_from"), "ro_from")
        values["ro_to"] = _ro(raw.get("ro_to"), "ro_to")
        _ordered("ro_from", values["ro_from"], "ro_to", values["ro_to"])
        for name in DATE_RANGES:
            start = parse_date(raw.get(f"{name}_from"), field=f"{name}_from")
            end = parse_date(raw.get(f"{name}_to"), field=f"{name}_to")
            _ordered(f"{name}_from", start, f"{name}_to", end)
            values[name] = DateRange(start, end)
        values["status_before"] = _days_before(raw, "in_status_for_more_than_days", today)
        values["cost_over"] = parse_money(raw.get("cost_over"), field="cost_over")
        values["cost_under"] = parse_money(raw.get("cost_under"), field="cost_under")
        _ordered("cost_over", values["cost_over"], "cost_under", values["cost_under"])
        values["missing"] = _missing(raw.get("missing"))
        values["sort"] = _sort(raw.get("sort"), values.get("archive"))
        limit = _int(raw.get("limit"), "limit")
        values["limit"] = DEFAULT_LIMIT if limit is None else limit
        if not 1 <= values["limit"] <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.")
        query = cls(**values)
        if raw.get("cursor") not in (None, ""):
            query = replace(query, offset=query.read_cursor(str(raw["cursor"])))
        return query

    # ---- the cursor: an opaque string for "more" ----------------------------------------------
    def fingerprint(self) -> str:
        """Identifies the filters and sort (not the page), so a cursor only continues its search."""
        shape = {
            f.name: str(getattr(self, f.name))
            for f in fields(self)
            if f.name not in ("limit", "offset")
        }
        digest = hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()
        return digest[:12]

    def cursor_at(self, offset: int) -> str:
        body = json.dumps({"o": offset, "q": self.fingerprint()}, separators=(",", ":"))
        return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")

    def read_cursor(self, cursor: str) -> int:
        try:
            padded = cursor.strip() + "=" * (-len(cursor.strip()) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
            offset, shape = int(data["o"]), str(data["q"])
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise InvalidInput(
                "That cursor is not one this search gave out; search again without it."
            ) from None
        if shape != self.fingerprint():
            raise InvalidInput(
                "That cursor continues a different search (other filters or sort); "
                "pass the same filters with it, or search again without it."
            )
        if offset < 0:
            raise InvalidInput("That cursor is not one this search gave out.")
        return offset

    def described(self) -> dict[str, Any]:
        """The filters in force, as JSON-able values (echoed to the model and the person)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("limit", "offset") or value in (None, (), False):
                continue
            if isinstance(value, DateRange):
                if value:
                    out[f.name] = {
                        "from": value.start.isoformat() if value.start else None,
                        "to": value.end.isoformat() if value.end else None,
                    }
            elif isinstance(value, tuple):
                out[f.name] = [str(v) for v in value]
            elif isinstance(value, date):
                out[f.name] = value.isoformat()
            elif isinstance(value, Archive):
                out[f.name] = value.value
            elif isinstance(value, Decimal):
                out[f.name] = f"{value:.2f}"
            else:
                out[f.name] = value
        return out


def _flag(value: object, name: str) -> bool:
    if value in (None, "", False, 0):
        return False
    if value is True or value == 1:
        return True
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise InvalidInput(f"{name} is true or false, not {str(value)[:20]!r}.")


def _int(value: object, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a whole number.")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {str(value)[:20]!r}.") from None
    if not number.is_integer():
        raise InvalidInput(f"{name} must be a whole number, not {str(value)[:20]!r}.")
    return int(number)


def _key(text: str, label: str) -> str:
    key = search_key(text)
    if not key:
        raise InvalidInput(f'"{text[:40]}" is not a {label} (no letters or digits).')
    return key[:100]


def _ro(value: object, name: str) -> int | None:
    if value is None or value == "":
        return None
    number = normalize_ro_number(value)
    seq = ro_sequence(number)
    if seq is None:
        raise InvalidInput(
            f"{name}: RO ranges work on numeric RO numbers (like 38462), not {number!r}."
        )
    return seq


def _days_before(raw: dict[str, Any], name: str, today: date) -> date | None:
    """ "more than N days" as the day before which it must have begun; None if not given."""
    days = _int(raw.get(name), name)
    if days is None:
        return None
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInput(f"{name} must be 0 or more.")
    return date.fromordinal(today.toordinal() - days)


def _ordered(start_name: str, start: Any, end_name: str, end: Any) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidInput(
            f"{start_name} ({start}) is after {end_name} ({end}): that range holds nothing. "
            "Did you mean them the other way round?"
        )


def _missing(value: object) -> tuple[str, ...]:
    """ "tracking_number", ["eta", "cost"], "eta, serial" -> names in MISSING, each once."""
    if value in (None, "", []):
        return ()
    parts = value if isinstance(value, list | tuple) else str(value).split(",")
    names = []
    for part in parts:
        text = str(part).strip().lower().replace(" ", "_").replace("-", "_")
        if not text:
            continue
        name = MISSING_ALIASES.get(text, text)
        if name not in MISSING:
            said, known = str(part).strip()[:30], ", ".join(MISSING)
            raise InvalidInput(f"Cannot look for ROs missing {said!r}. Fields: {known}.")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _sort(value: object, archive: Archive | None) -> str:
    if value in (None, ""):
        # Open ROs: the next follow-up first (what the desk works through); archives: newest.
        return "next_update" if archive is Archive.ACTIVE else "-ro_number"
    text = str(value).strip().lower().replace(" ", "_")
    descending = text.startswith("-") or text.endswith("_desc")
    name = text.lstrip("-+").removesuffix("_desc").removesuffix("_asc")
    name = {"ro": "ro_number", "number": "ro_number", "estimated_delivery": "eta"}.get(name, name)
    if name not in SORTS:
        raise InvalidInput(
            f"Cannot sort by {str(value)[:30]!r}. Sorts: {', '.join(SORTS)} "
            '(add "-" in front for newest/highest first, e.g. "-date_made").'
        )
    return f"-{name}" if descending else name
