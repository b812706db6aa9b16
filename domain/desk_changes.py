"""What changed on the desk in a period: every recorded change to any RO, newest first.

"What changed yesterday?", "what did Jordan do this week?", "anything happen at Avtech today?".
The activity log holds every change RO Tracker made, field by field (who, when, through what,
old, new); a period is the desk's days (midnight to midnight in its time zone), so the bounds
are two UTC instants and the log's `at` index answers. A deleted RO's changes (its deletion
too) are included: a change does not stop having happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import Session

from domain.errors import InvalidInput
from domain.local_time import day_starts_at, local_time, readable
from domain.models import ActivityLog, RepairOrder
from domain.models.deleted_ros import INCLUDE_DELETED
from domain.periods import Period
from domain.repair_orders import shop_key
from domain.roles import shown_actor
from domain.values import escape_like

# What a person asks for by name -> the activity log's actions
KINDS: dict[str, tuple[str, ...]] = {
    "status": ("STATUS_CHANGE",),
    "archive": ("ARCHIVE",),
    "created": ("CREATE",),
    "deleted": ("DELETE",),
    "edits": ("UPDATE",),
    "notes": ("NOTE_ADDED",),
    "email": ("DRAFT_CREATED", "EMAIL_DRAFT", "EMAIL_SENT", "REPLY_RECEIVED"),
    "documents": ("DOCUMENT_UPLOADED", "DOCUMENT_DELETED", "CERTIFICATE_OVERRIDE"),
}
MAX_LIMIT = 200
TOP_PEOPLE = 10
VALUE_CHARS = 200  # an old or new value shown; a note can be pages long


@dataclass(frozen=True)
class ChangeQuery:
    period: Period
    shop: str | None = None  # part of the shop's name
    person: str | None = None  # part of who made the change (email or name)
    kind: str | None = None  # one of KINDS: only that kind of change
    limit: int = 50


def desk_changes(session: Session, query: ChangeQuery, tz: tzinfo) -> dict[str, Any]:
    """The period's changes, newest first (`limit` of them), how many in all and on how many
    ROs, and who made them (most first). `InvalidInput` for a kind not in KINDS."""
    if query.kind is not None and query.kind not in KINDS:
        raise InvalidInput(f"Unknown kind {query.kind!r}. Kinds: {', '.join(KINDS)}.")
    log, ro = ActivityLog, RepairOrder
    conditions = _conditions(query, tz)

    def counted(*columns: Any):
        # a deleted RO's changes happened too (the shop's ROs are read with the deleted ones)
        statement = select(*columns).select_from(log).where(*conditions)
        return statement.execution_options(**INCLUDE_DELETED)

    ros = session.execute(counted(func.count(distinct(log.ro_id)))).scalar_one()
    # Per person as stored, then one person per email in any case (MariaDB's collation groups
    # those already, SQLite's does not); a desk has tens of people, so every group is read.
    people: Counter[str] = Counter()
    for actor, n in session.execute(counted(log.actor, func.count()).group_by(log.actor)):
        people[actor.lower()] += n
    total = sum(people.values())
    ranked = sorted(people.items(), key=lambda group: (-group[1], group[0]))[:TOP_PEOPLE]
    rows = session.execute(
        select(
            log.at,
            log.actor,
            log.action,
            log.field,
            log.old_value,
            log.new_value,
            log.source,
            ro.number,
            ro.shop_name,
        )
        .select_from(log)
        .outerjoin(ro, ro.id == log.ro_id)
        .where(*conditions)
        # the covering index's own order, read backwards: the newest 50 without sorting the
        # period (one second's changes together by RO; the id, last in the index, breaks ties)
        .order_by(
            log.at.desc(), log.ro_id.desc(), log.actor.desc(), log.action.desc(), log.id.desc()
        )
        .limit(query.limit)
        .execution_options(**INCLUDE_DELETED)
    ).all()
    return {
        "period": {
            "label": query.period.label,
            "start": query.period.start.isoformat(),
            "end": query.period.end.isoformat(),
        },
        "filters": {"shop": query.shop, "person": query.person, "kind": query.kind},
        "total": total,
        "ros": ros,
        "returned": len(rows),
        "by_person": [[shown_actor(who), n] for who, n in ranked],
        "items": [_item(row, tz) for row in rows],
    }


def _conditions(query: ChangeQuery, tz: tzinfo) -> list[ColumnElement[bool]]:
    log, ro = ActivityLog, RepairOrder
    start = day_starts_at(query.period.start, tz)
    end = day_starts_at(query.period.end + timedelta(days=1), tz)
    conditions = [log.at >= start, log.at < end, log.ro_id.is_not(None)]
    if query.shop:  # the shop's ROs first (deleted ones too), then their changes in the period
        key = escape_like(shop_key(query.shop) or "")
        at_shop = select(ro.id).where(ro.shop_key.like(f"%{key}%", escape="\\"))
        conditions.append(log.ro_id.in_(at_shop))
    if query.kind:
        conditions.append(log.action.in_(KINDS[query.kind]))
    if query.person:
        who = query.person.strip().lower()
        conditions.append(func.lower(log.actor).like(f"%{escape_like(who)}%", escape="\\"))
    return conditions


def _item(row: Any, tz: tzinfo) -> dict[str, Any]:
    return {
        "ro_number": row.number,
        "shop_name": row.shop_name,
        "when": readable(row.at, tz),
        "day": local_time(row.at, tz).date().isoformat(),
        "by": shown_actor(row.actor),
        "action": row.action,
        "field": row.field,
        "old": _short(row.old_value),
        "new": _short(row.new_value),
        "source": row.source,
    }


def _short(value: str | None) -> str | None:
    if value is None or len(value) <= VALUE_CHARS:
        return value
    return value[:VALUE_CHARS] + "…"
