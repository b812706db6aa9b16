"""One RO's story and neighbours: its change history (who, when, old -> new) and related ROs.

History merges the field-by-field activity log with the status history (imports and the demo
write status history alone), newest first, capped. Related ROs: the same part number, the same
serial (a unit that keeps coming back is a reliability signal), and other open ROs at the shop.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.errors import NotFound
from domain.models import ActivityLog, RepairOrder, StatusHistory
from domain.models.deleted_ros import INCLUDE_DELETED
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


def load_id(session: Session, number: object) -> int:
    """The RO's id; a deleted RO's too, so its history (the deletion included) stays readable."""
    canonical = normalize_ro_number(number)
    ro_id = session.scalar(
        select(RO.id).where(RO.number == canonical).execution_options(**INCLUDE_DELETED)
    )
    if ro_id is None:
        raise NotFound(f"There is no RO {canonical} in any archive.")
    return ro_id


def history(session: Session, ro_id: int, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """Changes to the RO, newest first: at, who, action, field, old, new, note, source."""
    activity = session.scalars(
        select(ActivityLog)
        .where(ActivityLog.ro_id == ro_id)
        .order_by(ActivityLog.at.desc(), ActivityLog.id.desc())
        .limit(limit)
    ).all()
    statuses = session.scalars(
        select(StatusHistory)
        .where(StatusHistory.ro_id == ro_id)
        .order_by(StatusHistory.changed_at.desc(), StatusHistory.id.desc())
        .limit(limit)
    ).all()
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


def related(session: Session, ro_id: int, limit: int = RELATED_LIMIT) -> dict[str, Any]:
    """Other ROs with the same part number, the same serial, and open ones at the same shop:
    for each, a total and the newest `limit` in brief."""
    part_key, serial_key, shop_key = session.execute(
        select(RO.part_key, RO.serial_key, RO.shop_key).where(RO.id == ro_id)
    ).one()
    groups = {
        "same_part": RO.part_key == part_key if part_key else None,
        "same_serial": RO.serial_key == serial_key if serial_key else None,
        "open_at_shop": (RO.shop_key == shop_key) & (RO.archive == Archive.ACTIVE.value)
        if shop_key
        else None,
    }
    out: dict[str, Any] = {}
    for name, condition in groups.items():
        if condition is None:
            out[name] = {"total": 0, "items": []}
            continue
        # the newest `limit`, each row carrying the count of all (a window is counted before
        # the LIMIT): one query, not a count and a page
        rows = session.execute(
            select(*BRIEF, func.count().over())
            .where(condition, RO.id != ro_id)
            .order_by(RO.date_made.desc(), RO.id.desc())
            .limit(limit)
        ).all()
        total = rows[0][-1] if rows else 0
        out[name] = {"total": total, "items": [_brief(row[:-1]) for row in rows]}
    # Same serial back more than once: worth a person's attention.
    out["repeat_unit"] = out["same_serial"]["total"] >= 1
    return out


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
