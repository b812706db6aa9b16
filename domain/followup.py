"""When to chase the shop next: follow-up offsets per status, configurable.

The legacy app and v2 disagreed (APPROVED +14 vs +10 days); the defaults follow v2 where it
tracked the status and the legacy app elsewhere, and `GT_FOLLOWUP_DAYS` overrides any of them.
PAID waits on the payment terms: NET n waits n days, COD/prepaid/card needs no chase.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.statuses import Status, parse_status

DEFAULT_FOLLOWUP_DAYS: dict[Status, int | None] = {
    Status.TO_SEND: 3,
    Status.WAITING_QUOTE: 7,
    Status.APPROVED: 10,
    Status.IN_WORK: 10,
    Status.ON_HOLD: 7,
    Status.SHIPPED: 5,
    Status.RECEIVED: 3,
    Status.COMPLETE: 3,
    Status.PAID: None,  # decided by the terms, below
    Status.PAYMENT_SENT: None,
    Status.BER: None,
    Status.RAI: None,
    Status.CANCELLED: None,
    Status.SCRAP: None,
}
OTHER_DAYS = 7
UNKNOWN_TERMS_DAYS = 30
WIRE_DAYS = 3
_NO_CHASE_TERMS = ("COD", "C.O.D", "PREPAID", "PRE-PAID", "CREDIT CARD", "CC")
_NET_DAYS = re.compile(r"NET\s*(\d{1,3})")


def _paid_wait(terms: str | None) -> int | None:
    text = (terms or "").upper().strip()
    if match := _NET_DAYS.search(text):
        return int(match.group(1))
    if any(word in text for word in _NO_CHASE_TERMS):
        return None
    if "WIRE" in text:
        return WIRE_DAYS
    return UNKNOWN_TERMS_DAYS


@dataclass(frozen=True)
class FollowUpPolicy:
    days: Mapping[Status, int | None] = field(default_factory=lambda: dict(DEFAULT_FOLLOWUP_DAYS))

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, int | None] | None) -> FollowUpPolicy:
        days = dict(DEFAULT_FOLLOWUP_DAYS)
        for name, value in (overrides or {}).items():
            if value is not None and not 0 <= int(value) <= 365:
                raise ValueError(f"follow-up days for {name} must be between 0 and 365")
            days[parse_status(name)] = None if value is None else int(value)
        return cls(days)

    def wait_days(self, status: Status, terms: str | None = None) -> int | None:
        """Days until the next follow-up, or None when this status needs none."""
        if status is Status.PAID and self.days.get(Status.PAID) is None:
            return _paid_wait(terms)
        return self.days.get(status, OTHER_DAYS)

    def next_update(self, status: Status, terms: str | None, today: date) -> date | None:
        wait = self.wait_days(status, terms)
        return None if wait is None else today + timedelta(days=wait)
