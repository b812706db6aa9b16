"""Every RO an `RoQuery` matches, for a file: a capped count, then full rows in batches.

The search (domain/ro_search.py) pages 100 rows at a time by offset, which grows slower with
each page; an export reads all matches, so it walks them by key instead: RO number order (as
the synced workbook has them: numeric RO numbers first, by number, then the others by id), a
few hundred full rows per query, whatever the depth. Same WHERE clauses as the search, so a
file holds exactly what the list in the chat showed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, tzinfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from domain.models import RepairOrder
from domain.ro_query import RoQuery
from domain.ro_search import _shop_keys, explain_nothing, where

RO = RepairOrder
BATCH = 500


def _conditions(session: Session, query: RoQuery, today: date, tz: tzinfo) -> list:
    dialect = session.get_bind().dialect.name
    shop_keys = _shop_keys(session, query.shop) if query.shop else None
    return where(query, today, dialect, shop_keys, tz)


def count_matches(session: Session, query: RoQuery, today: date, cap: int, tz: tzinfo = UTC) -> int:
    """How many ROs match, counting at most `cap + 1` (enough to say "over the cap"). None
    matching because the shop, part or serial is unknown raises `NotFound` with close matches."""
    conditions = _conditions(session, query, today, tz)
    matched = select(RO.id).where(*conditions).limit(cap + 1).subquery()
    counted = session.scalar(select(func.count()).select_from(matched)) or 0
    if counted == 0:
        explain_nothing(session, query, session.get_bind().dialect.name)
    return counted


def batches(
    session: Session, query: RoQuery, today: date, size: int = BATCH, tz: tzinfo = UTC
) -> Iterator[list[RepairOrder]]:
    """Lists of full `RepairOrder` rows, `size` per query, in RO number order. Each batch is
    detached from the session once the next is asked for, so memory stays flat."""
    conditions = _conditions(session, query, today, tz)
    last_seq: int | None = None
    last_id = 0
    while True:  # numeric RO numbers, by (seq, id)
        after = [] if last_seq is None else [
            or_(RO.seq > last_seq, and_(RO.seq == last_seq, RO.id > last_id))
        ]  # fmt: skip
        stmt = select(RO).where(*conditions, RO.seq.is_not(None), *after)
        rows = list(session.scalars(stmt.order_by(RO.seq, RO.id).limit(size)).unique())
        if not rows:
            break
        yield rows
        last_seq, last_id = rows[-1].seq, rows[-1].id
        session.expunge_all()
    last_id = 0
    while True:  # the others (non-numeric numbers), by id
        stmt = select(RO).where(*conditions, RO.seq.is_(None), RO.id > last_id)
        rows = list(session.scalars(stmt.order_by(RO.id).limit(size)).unique())
        if not rows:
            return
        yield rows
        last_id = rows[-1].id
        session.expunge_all()
