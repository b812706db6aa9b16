"""Times as people read them: the database keeps naive UTC; the desk reads its own time zone.

`readable` is short enough for a table column ("Dec 1, 16:51 EST"), names the zone so nobody
guesses, and adds the year only when it is not the current one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def local_time(at: datetime | None, tz: tzinfo) -> datetime | None:
    """A stored time (naive means UTC) in `tz`."""
    if at is None:
        return None
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(tz)


def day_starts_at(day: date, tz: tzinfo) -> datetime:
    """When `day` begins at the desk (midnight in `tz`), as the database keeps it (naive UTC)."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def utc_offsets(tz: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The desk's offset from UTC, in minutes, from `start` to `end` (naive UTC, as stored):
    [(from, minutes)], the first from `start`, one more at each change (daylight saving), to
    the second — so SQL can read a stored time as the desk's clock without the database's own
    time zone tables."""

    def minutes(second: int) -> int:
        offset = datetime.fromtimestamp(second, UTC).astimezone(tz).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    def naive(second: int) -> datetime:
        return datetime.fromtimestamp(second, UTC).replace(tzinfo=None)

    first = int(start.replace(tzinfo=UTC).timestamp())
    last = int(end.replace(tzinfo=UTC).timestamp())
    found = [(start, minutes(first))]
    day = int(timedelta(days=1).total_seconds())
    at = first
    while at < last:
        step = min(at + day, last)
        if minutes(step) != found[-1][1]:
            before, after = at, step  # the change is in (before, after]: halve to the second
            while after - before > 1:
                middle = (before + after) // 2
                if minutes(middle) == found[-1][1]:
                    before = middle
                else:
                    after = middle
            found.append((naive(after), minutes(after)))
        at = step
    return found


def readable(at: datetime | None, tz: tzinfo, now: datetime | None = None) -> str:
    """ "Dec 1, 16:51 EST"; "Dec 1 2025, 16:51 EST" in another year; "—" for none."""
    local = local_time(at, tz)
    if local is None:
        return "—"
    current = local_time(now or datetime.now(UTC), tz)
    day = f"{local:%b} {local.day}"
    if current is None or current.year != local.year:
        day += f" {local.year}"
    return f"{day}, {local:%H:%M} {local.tzname() or 'UTC'}"


def iso_local(at: datetime | None, tz: tzinfo) -> str | None:
    """ISO 8601 with the zone's offset, for programs and models: "2026-12-01T16:51:31-05:00"."""
    local = local_time(at, tz)
    return local.isoformat(timespec="seconds") if local else None


def said_when(at: datetime, now: datetime) -> str:
    """When something was said, from `now` (both aware, in the desk's zone): "at 09:12",
    "yesterday at 09:12", "on Dec 1 at 09:12" — a card shown days later never reads as today."""
    local = at.astimezone(now.tzinfo)
    clock = f"at {local:%H:%M}"
    days = (now.date() - local.date()).days
    if days <= 0:
        return clock
    if days == 1:
        return f"yesterday {clock}"
    year = f" {local.year}" if local.year != now.year else ""
    return f"on {local:%b} {local.day}{year} {clock}"
