"""Run an `RoQuery` in the database: one SELECT for the page, one COUNT for the total.

Every filter is a WHERE clause on an indexed column where one fits (migration 0008): part and
serial keys, shop key, (archive, next_update), (archive, estimated_delivery), (status,
status_date), date_made, last_updated, seq. Words in description/notes are LIKE scans: there is
no portable word index, and they are nearly always combined with a narrower filter.

A shop filter matches the names of registered shops (the small shops table) and then looks the
ROs up by `shop_key IN (...)`; a name no shop row carries (an imported RO's) is found by a scan.
The total is exact up to COUNT_CAP; beyond it the answer says "more than".

A search that finds nothing because the shop, part or serial is unknown says so, with close
matches ("no such shop; did you mean ..."), rather than answering an empty list.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, String, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from domain.costs import CostTotals, cost_columns, cost_totals, ro_cost
from domain.documents.service import flag_missing_certificates
from domain.errors import InvalidInput, NotFound
from domain.local_time import day_starts_at
from domain.models import RepairOrder, Shop, StatusHistory
from domain.overdue import AT_SHOP, BACK_OR_DONE  # "ETA passed but not received", "at the shop"
from domain.repair_orders import NO_SHOP, RepairOrderView, view_rows
from domain.ro_query import MISSING, SORTS, DateRange, RoQuery
from domain.statuses import CAME_BACK
from domain.values import escape_like

RO = RepairOrder
SUGGESTIONS = 3
COUNT_CAP = 10_000


@dataclass(frozen=True)
class SearchPage:
    items: list[RepairOrderView]
    total: int
    total_exact: bool
    next_cursor: str | None
    offset: int
    counts: list[tuple[str, int]] | None = None  # every match per shop or status (count_by)
    totals: CostTotals | None = None  # every match's costs summed (totals)


COUNT_BY = ("shop", "status", "part")
NO_STATUS = "(no status)"
NO_PART = "(no part number)"


def search(
    session: Session,
    query: RoQuery,
    today: date,
    count_by: str | None = None,
    tz: tzinfo = UTC,
    totals: bool = False,
) -> SearchPage:
    """The page of ROs `query` asks for, its total, and a cursor when there are more; with
    `count_by` ("shop", "status" or "part"), also how many of all the matches each has; with
    `totals`, all the matches' costs summed. `tz` is the desk's time zone: its days bound the
    times in the status history (`came_back`)."""
    if count_by is not None and count_by not in COUNT_BY:
        raise InvalidInput(f"count_by must be one of {', '.join(COUNT_BY)}, not {count_by!r}.")
    dialect = session.get_bind().dialect.name
    shop_keys = _shop_keys(session, query.shop) if query.shop else None
    conditions = where(query, today, dialect, shop_keys, tz)
    # Counting a huge match costs more than the page; past COUNT_CAP "more than" is enough.
    matched = select(RO.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    counted = session.scalar(select(func.count()).select_from(matched)) or 0
    if counted == 0:
        explain_nothing(session, query, dialect)
    rows = _page(session, query, conditions) if query.offset < counted else []
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    end = query.offset + len(rows)
    return SearchPage(
        items=flag_missing_certificates(session, [RepairOrderView.of_row(r, today) for r in rows]),
        total=min(counted, COUNT_CAP),
        total_exact=counted <= COUNT_CAP,
        next_cursor=query.cursor_at(end) if more else None,
        offset=query.offset,
        counts=_counts_by(session, conditions, count_by) if count_by else None,
        totals=_cost_totals(session, conditions) if totals else None,
    )


def _cost_totals(session: Session, conditions: list[ColumnElement[bool]]) -> CostTotals:
    """Every match's costs summed in one pass (not capped like the count: a sum must be whole)."""
    return cost_totals(session.execute(select(*cost_columns()).where(*conditions)).one())


def _counts_by(
    session: Session, conditions: list[ColumnElement[bool]], by: str
) -> list[tuple[str, int]]:
    """How many ROs match per shop (as the shops table names it), per status or per part (its
    number as first spelled, and description): every match, not a page; most first, then by
    name."""
    if by == "shop":
        key = func.coalesce(RO.shop_key, "")
        rows = session.execute(
            select(key, func.min(RO.shop_name), func.count(RO.id)).where(*conditions).group_by(key)
        ).all()
        names = dict(session.execute(select(Shop.name_key, Shop.name)).all())
        counted = [(names.get(k) or name or NO_SHOP, n) for k, name, n in rows]
    elif by == "part":  # one part however it is spelled ("066-50008", "066 50008"): its key
        key = func.coalesce(RO.part_key, "")
        rows = session.execute(
            select(key, func.min(RO.part_number), func.min(RO.part_description), func.count(RO.id))
            .where(*conditions)
            .group_by(key)
        ).all()
        counted = [
            (f"{number} ({described})" if described else number, n) if k else (NO_PART, n)
            for k, number, described, n in rows
        ]
    else:
        rows = session.execute(
            select(RO.status, func.count(RO.id)).where(*conditions).group_by(RO.status)
        ).all()
        counted = [(status or NO_STATUS, n) for status, n in rows]
    return sorted(counted, key=lambda group: (-group[1], group[0]))


def sort_column(name: str) -> ColumnElement[Any]:
    """What a sort name orders by: a column, or for "cost" what the totals count (the final
    cost, else the estimate)."""
    return ro_cost() if name == "cost" else getattr(RO, SORTS[name])


def _page(session: Session, query: RoQuery, conditions: list[ColumnElement[bool]]) -> list[Row]:
    """`limit + 1` rows from `offset` in the query's order, blanks in the sort column last.

    "ORDER BY col IS NULL, col" would defeat the index that already holds the order, so an
    ascending sort reads the rows with a value first and the blank ones after them (by id).
    Plain rows (the table's columns and the shop's email), as `RepairOrderService.list` reads
    them: building ORM objects was a good part of a list question's CPU in the chat (#19).
    """
    want = query.limit + 1
    descending = query.sort.startswith("-")
    column = sort_column(query.sort.lstrip("-"))
    # (Run on the session: its hook still hides deleted ROs, as for ORM rows.)
    page = view_rows().where(*conditions)

    def fetch(*extra: Any, order: tuple[Any, ...], offset: int, limit: int) -> list[Row]:
        stmt = page.where(*extra).order_by(*order)
        return list(session.execute(stmt.offset(offset).limit(limit)).all())

    if descending:  # NULL sorts lowest in SQLite and MariaDB: DESC already puts blanks last
        return fetch(order=(column.desc(), RO.id.desc()), offset=query.offset, limit=want)
    rows = fetch(column.is_not(None), order=(column, RO.id), offset=query.offset, limit=want)
    if len(rows) == want:
        return rows
    if rows:
        valued = query.offset + len(rows)
    else:  # the page starts among the blanks: how many rows have a value?
        valued = (
            session.scalar(select(func.count(RO.id)).where(*conditions, column.is_not(None))) or 0
        )
    blanks = fetch(
        column.is_(None),
        order=(RO.id,),
        offset=max(query.offset - valued, 0),
        limit=want - len(rows),
    )
    return rows + blanks


def part_prefix(key: str, dialect: str) -> ColumnElement[bool]:
    """Part keys starting with `key`, as an index range on both databases: SQLite's LIKE is
    case-insensitive and cannot use a plain index, its GLOB can (a key holds only [A-Z0-9])."""
    if dialect == "sqlite":
        return RO.part_key.op("GLOB")(f"{key}*")
    return RO.part_key.like(f"{escape_like(key)}%", escape="\\")


def where(
    query: RoQuery,
    today: date,
    dialect: str = "mysql",
    shop_keys: list[str] | None = None,
    tz: tzinfo = UTC,
) -> list[ColumnElement[bool]]:
    """The query's filters as SQL conditions (all must hold)."""
    conds: list[ColumnElement[bool]] = []
    if query.archive is not None:
        conds.append(RO.archive == query.archive.value)
    if query.statuses:
        conds.append(RO.status.in_([s.value for s in query.statuses]))
    if query.overdue:
        conds.append(RO.next_update < today)
    if query.eta_passed:
        conds.append(RO.estimated_delivery < today)
        conds.append(or_(RO.status.is_(None), RO.status.not_in([s.value for s in BACK_OR_DONE])))
    if query.shop:
        if shop_keys:  # names of registered shops: an index lookup
            conds.append(RO.shop_key.in_(shop_keys))
        else:  # a name only ROs carry (imported, no shop row): a scan
            conds.append(RO.shop_key.like(f"%{escape_like(query.shop)}%", escape="\\"))
    if query.part_key:
        conds.append(part_prefix(query.part_key, dialect))
    if query.serial_key:
        conds.append(RO.serial_key == query.serial_key)
    for word in query.words:
        pattern = f"%{escape_like(word)}%"
        conds.append(
            or_(
                RO.part_description.like(pattern, escape="\\"),
                RO.required_work.like(pattern, escape="\\"),
                RO.notes.like(pattern, escape="\\"),
            )
        )
    if query.ro_from is not None:
        conds.append(RO.seq >= query.ro_from)
    if query.ro_to is not None:
        conds.append(RO.seq <= query.ro_to)
    for name, column in (
        ("date_made", RO.date_made),
        ("dropped_off", RO.date_dropped_off),
        ("status_date", RO.status_date),
        ("eta", RO.estimated_delivery),
        ("next_update", RO.next_update),
        ("last_updated", RO.last_updated),
    ):
        span: DateRange = getattr(query, name)
        if span.start is not None:
            conds.append(column >= span.start)
        if span.end is not None:
            conds.append(column <= span.end)
    if query.came_back:
        conds.extend(_came_back(query.came_back, tz))
    if query.status_before is not None:
        conds.append(RO.status_date < query.status_before)
    if query.cost_over is not None:  # as the totals count an RO's cost (domain/costs.py)
        conds.append(ro_cost() > query.cost_over)
    if query.cost_under is not None:
        conds.append(ro_cost() < query.cost_under)
    if query.at_shop_since_before is not None:  # domain/overdue.days_at_shop's "at the shop"
        conds.append(RO.status.in_([s.value for s in AT_SHOP]))
        conds.append(RO.date_dropped_off < query.at_shop_since_before)
    conds.extend(_blank(getattr(RO, MISSING[name])) for name in query.missing)
    return conds


def _blank(column: Any) -> ColumnElement[bool]:
    """No value: NULL, or for text only spaces (the workbook's importers leave "" behind)."""
    if isinstance(column.type, String):
        return or_(column.is_(None), func.trim(column) == "")
    return column.is_(None)


def _came_back(span: DateRange, tz: tzinfo) -> list[ColumnElement[bool]]:
    """The unit first came back (its first move into a CAME_BACK status) within `span`'s days
    at the desk: an RO received on Monday and paid on Friday came back on Monday.

    Said as "moved back within the span, and not before it" so the database reads the few
    history rows of the span from their index (status, changed_at) — the first move per RO of
    every RO (a MIN per RO) read the whole history: 0.6 s on 100,000 ROs in MariaDB."""
    back = [s.value for s in CAME_BACK]
    h, earlier = StatusHistory, aliased(StatusHistory)
    moved = select(h.ro_id).where(h.status.in_(back))
    if span.end is not None:
        moved = moved.where(h.changed_at < day_starts_at(span.end + timedelta(days=1), tz))
    if span.start is not None:
        start = day_starts_at(span.start, tz)
        moved = moved.where(
            h.changed_at >= start,
            ~exists().where(
                earlier.ro_id == h.ro_id,
                earlier.status.in_(back),
                earlier.changed_at < start,
            ),
        )
    return [RO.id.in_(moved)]


def _shop_keys(session: Session, text: str) -> list[str]:
    """Name keys of registered shops whose name contains `text` (the shops table is small)."""
    pattern = f"%{escape_like(text)}%"
    return list(
        session.scalars(select(Shop.name_key).where(Shop.name_key.like(pattern, escape="\\")))
    )


def explain_nothing(session: Session, query: RoQuery, dialect: str) -> None:
    """When nothing matched, `NotFound` with close matches if the shop, part or serial itself is
    unknown; otherwise return (the filters together simply match nothing)."""
    if query.shop and not _shop_exists(session, query.shop):
        names = _shop_names(session)
        raise NotFound(_unknown("shop", query.shop, _close(query.shop, names)))
    if query.part_key and not _exists(session, part_prefix(query.part_key, dialect)):
        raise NotFound(
            _unknown("part number", query.part_key, _close_keys(session, "part", query.part_key))
        )
    if query.serial_key and not _exists(session, RO.serial_key == query.serial_key):
        raise NotFound(
            _unknown(
                "serial number", query.serial_key, _close_keys(session, "serial", query.serial_key)
            )
        )


def _exists(session: Session, condition: ColumnElement[bool]) -> bool:
    return bool(session.scalar(select(exists().where(condition))))


def _shop_exists(session: Session, key: str) -> bool:
    pattern = f"%{escape_like(key)}%"
    return _exists(session, RO.shop_key.like(pattern, escape="\\")) or bool(
        session.scalar(select(exists().where(Shop.name_key.like(pattern, escape="\\"))))
    )


def _shop_names(session: Session) -> dict[str, str]:
    """Key -> display name of every shop we know: the shops table and names on ROs."""
    names = {key: name for key, name in session.execute(select(Shop.name_key, Shop.name))}
    ro_names: Select = select(RO.shop_key, func.min(RO.shop_name)).group_by(RO.shop_key)
    for key, name in session.execute(ro_names.where(RO.shop_key.is_not(None))):
        names.setdefault(key, name)
    return names


def _close_keys(session: Session, which: str, key: str) -> dict[str, str]:
    """Key -> display number of part (or serial) numbers near `key`: those sharing its first two
    characters (an index range), since a typo rarely hits the first ones."""
    column, shown = (
        (RO.part_key, RO.part_number) if which == "part" else (RO.serial_key, RO.serial_number)
    )
    rows = session.execute(
        select(column, func.min(shown))
        .where(column.like(f"{escape_like(key[:2])}%", escape="\\"))
        .group_by(column)
        .limit(5000)
    )
    return {k: v for k, v in rows if k}


def _close(key: str, names: dict[str, str]) -> list[str]:
    # Contained words count too ("avtek" -> "AVTECH HYDRAULICS"): compare with each word run.
    scored: dict[str, float] = {}
    for candidate in names:
        ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
        for word in candidate.split():
            ratio = max(ratio, difflib.SequenceMatcher(None, key, word).ratio())
        if ratio >= 0.6:
            scored[candidate] = ratio
    best = sorted(scored, key=lambda c: (-scored[c], c))[:SUGGESTIONS]
    return [names[c] for c in best]


def _unknown(what: str, given: str, suggestions: list[str] | dict[str, str]) -> str:
    if isinstance(suggestions, dict):
        suggestions = _close(given, suggestions)
    if suggestions:
        quoted = ", ".join(f'"{s}"' for s in suggestions)
        return f'No such {what} "{given}"; did you mean {quoted}?'
    holders = "no shop or repair order has that name" if what == "shop" else "no RO has it"
    return f'No such {what} "{given}": {holders}.'
