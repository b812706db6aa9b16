"""Pure rules of an email draft: who it goes to, and what the template says about an RO."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from domain.email_templates import RoFacts
from domain.errors import InvalidInput
from domain.local_time import readable
from domain.models import RepairOrder
from domain.statuses import try_parse_status
from domain.users import normalize_email

MAX_CC = 10


def facts(ro: RepairOrder) -> RoFacts:
    return RoFacts(
        # an ERP.aero RO is known to the shop by the ERP's own number ("RO171"), not "G171"
        number=f"RO{ro.number}" if ro.erp_po_id and ro.number.isdigit() else ro.number,
        status=try_parse_status(ro.status),
        status_date=ro.status_date,
        part_number=ro.part_number,
        part_description=ro.part_description,
        serial_number=ro.serial_number,
        shop_ref=ro.shop_ref,
        tracking_number=ro.tracking_number,
        estimated_delivery=ro.estimated_delivery,
    )


def parse_recipient(value: str | None) -> str | None:
    text = (value or "").strip()
    return normalize_email(text) if text else None


def parse_cc(value: Iterable[str] | str | None) -> list[str]:
    if value is None:
        return []
    parts = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    found = [normalize_email(p) for p in (str(p).strip() for p in parts) if p]
    if len(found) > MAX_CC:
        raise InvalidInput(f"At most {MAX_CC} CC addresses.")
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class LastSent:
    """The latest email that went to the shop about one of a draft's ROs (naive UTC time)."""

    at: datetime
    subject: str
    ro_number: str


def ago(delta: timedelta) -> str:
    """ "just now", "4 minutes ago", "3 hours ago", "2 days ago"."""
    seconds = max(int(delta.total_seconds()), 0)
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def recent_email_warning(
    last: LastSent | None, now: datetime, within_days: int, tz: tzinfo
) -> str | None:
    """A warning when the shop was emailed about this RO less than `within_days` ago (0: never
    warn). Drafting goes ahead — a second email can be right — but nobody sends it unaware."""
    if last is None or within_days <= 0 or now - last.at >= timedelta(days=within_days):
        return None
    return (
        f"The shop was already emailed about RO {last.ro_number} {ago(now - last.at)} "
        f'({readable(last.at, tz, now)}): "{last.subject}". Send another only if it is needed.'
    )
