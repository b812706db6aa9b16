"""One RO's story and neighbours: its change history (who, when, old -> new) and related ROs.

History merges the field-by-field activity log with the status history (imports and the demo
write status history alone), newest first, capped. Related ROs: the same part number, the same
serial (a unit that keeps coming back is a reliability signal), and other open ROs at the shop.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.errors import NotFound
from domain.models import ActivityLog, RepairOrder, StatusHistory
from domain.models.deleted_ros import live_ro
from domain.values import normalize_ro_number

RO = RepairOrder
HISTORY_LIMIT = 50
RELATED_LIMIT = 10
# A status change is written to both logs in one transaction; rows this close are one event.
SAME_EVENT = timedelta(seconds=5)
BRIEF = (
    RO.number,
    RO.archive,
    RO.status,
    RO.status_date,
    RO.date_made,
    RO.shop_name,
    RO.part_number,
    RO.serial_number,
)
ACTIVITY = (
    ActivityLog.at,
    ActivityLog.actor,
    ActivityLog.action,
    ActivityLog.field,
    ActivityLog.old_value,
    ActivityLog.new_value,
    ActivityLog.source,
)
STATUSES = (
    StatusHistory.changed_at,
    StatusHistory.changed_by,
    StatusHistory.previous_status,
    StatusHistory.status,
    StatusHistory.note,
)


@dataclass(frozen=True)
class RoKeys:
    """An RO's id and what `related` matches other ROs on."""

    id: int
    part_key: str | None
    serial_key: str | None
    shop_key: str | None


def load_keys(session: Session, number: object) -> RoKeys:
    """The RO's id and keys; a deleted RO's too, so its history (the deletion included)
    stays readable."""
    canonical = normalize_ro_number(number)
    row = session.connection().execute(_KEYS, {"number": canonical}).one_or_none()
    if row is None:
        raise NotFound(f"There is no RO {canonical} in any archive.")
    return RoKeys(*row)


def history(session: Session, ro_id: int, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """Changes to the RO, newest first: at, who, action, field, old, new, note, source."""
    read = session.connection()
    activity = read.execute(_ACTIVITY, {"ro_id": ro_id, "limit": limit}).all()
    statuses = read.execute(_STATUSES, {"ro_id": ro_id, "limit": limit}).all()
    entries = [
        _entry(a.at, a.actor, a.action, a.field, a.old_value, a.new_value, None, a.source)
        for a in activity
        if a.action != "STATUS_CHANGE"
    ]
    logged = [a for a in activity if a.action == "STATUS_CHANGE"]
    for s in statuses:
        twin = next(
            (
                a
                for a in logged
                if a.new_value == s.status and abs(a.at - s.changed_at) <= SAME_EVENT
            ),
            None,
        )
        if twin is not None:
            logged.remove(twin)
        entries.append(
            _entry(
                s.changed_at,
                s.changed_by,
                "STATUS_CHANGE",
                "status",
                s.previous_status,
                s.status,
                s.note,
                twin.source if twin is not None else None,
            )
        )
    entries += [
        _entry(a.at, a.actor, a.action, a.field, a.old_value, a.new_value, None, a.source)
        for a in logged
    ]
    # MariaDB keeps whole seconds: on a tie the CREATE is the oldest (stable sort keeps the rest).
    entries.sort(key=lambda e: (e["at"], e["action"] != "CREATE"), reverse=True)
    return [{**e, "at": e["at"].isoformat(timespec="seconds")} for e in entries[:limit]]


def related(session: Session, ro: RoKeys, limit: int = RELATED_LIMIT) -> dict[str, Any]:
    """Other ROs with the same part number, the same serial, and open ones at the same shop:
    for each, a total and the newest `limit` in brief."""
    # a key the RO lacks is bound as NULL, which equals nothing: that group is empty
    rows = (
        session.connection()
        .execute(
            _related(limit),
            {
                "ro_id": ro.id,
                "part_key": ro.part_key or None,
                "serial_key": ro.serial_key or None,
                "shop_key": ro.shop_key or None,
            },
        )
        .all()
    )
    out: dict[str, Any] = {name: {"total": 0, "items": []} for name in RELATED}
    # a derived table's order is not kept through the union: newest first again, as each was cut
    rows.sort(key=lambda r: (r.date_made is not None, r.date_made or date.min, r.id), reverse=True)
    for row in rows:
        group = out[row.grp]
        group["total"] = row.total
        group["items"].append(_brief(row[2:-1]))
    # Same serial back more than once: worth a person's attention.
    out["repeat_unit"] = out["same_serial"]["total"] >= 1
    return out


# An RO lookup runs these on every ask: built once, run as Core statements on the session's
# connection (an ORM statement is rebuilt, re-keyed and given the deleted-RO criteria each
# time, several times what SQLite takes to answer). So each says itself what it must about
# deleted ROs (domain/models/deleted_ros.py).
_KEYS = select(RO.id, RO.part_key, RO.serial_key, RO.shop_key).where(
    RO.number == bindparam("number")
)  # deleted ROs included, as `load_keys` says
_ACTIVITY = (
    select(*ACTIVITY)
    .where(ActivityLog.ro_id == bindparam("ro_id"))
    .order_by(ActivityLog.at.desc(), ActivityLog.id.desc())
    .limit(bindparam("limit"))
)
_STATUSES = (
    select(*STATUSES)
    .where(StatusHistory.ro_id == bindparam("ro_id"))
    .order_by(StatusHistory.changed_at.desc(), StatusHistory.id.desc())
    .limit(bindparam("limit"))
)
RELATED = {
    "same_part": RO.part_key == bindparam("part_key"),
    "same_serial": RO.serial_key == bindparam("serial_key"),
    "open_at_shop": (RO.shop_key == bindparam("shop_key")) & (RO.archive == Archive.ACTIVE.value),
}


@functools.cache
def _related(limit: int):
    """The three groups' pages in one statement: each group's newest `limit` (live ROs only),
    each row carrying its group's count (a window is counted before the LIMIT)."""
    pages = [
        select(literal(name).label("grp"), RO.id, *BRIEF, func.count().over().label("total"))
        .where(condition, RO.id != bindparam("ro_id"), live_ro())
        .order_by(RO.date_made.desc(), RO.id.desc())
        .limit(limit)
        .subquery()
        for name, condition in RELATED.items()
    ]
    return union_all(*(select(page) for page in pages))


def _brief(row: Any) -> dict[str, Any]:
    return {
        column.key: value.isoformat() if isinstance(value, date) else value
        for column, value in zip(BRIEF, row, strict=True)
    }


def _entry(
    at: datetime,
    who: str,
    action: str,
    field: str | None,
    old: str | None,
    new: str | None,
    note: str | None,
    source: str | None,
) -> dict[str, Any]:
    return {
        "at": at,
        "who": who,
        "action": action,
        "field": field,
        "old": old,
        "new": new,
        "note": note,
        "source": source,
    }
