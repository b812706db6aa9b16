"""The empty chat's suggestions: what a person of this role usually asks at this time of day.

Each is a request the offline model understands (a unit test plans every one) and that the
role may make; "Overdue ROs" always comes first — the desk's first question at any hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.roles import Role

SHOWN = 4


@dataclass(frozen=True)
class Suggestion:
    label: str
    message: str
    needs: Role = Role.VIEWER


OVERDUE = Suggestion("Overdue ROs", "overdue")
# What this role alone has to do, offered first (after the overdue list).
FOR_ROLE = {
    Role.VIEWER: [],
    Role.EDITOR: [],
    Role.APPROVER: [Suggestion("Drafts waiting for you", "pending drafts", Role.APPROVER)],
    Role.ADMIN: [
        Suggestion("Drafts waiting for you", "pending drafts", Role.APPROVER),
        Suggestion("Excel sync status", "excel status", Role.ADMIN),
    ],
}
MORNING = [  # chase the shops: what is late, what to send
    Suggestion("Follow-ups to send", "follow up with every shop that has overdue ROs", Role.EDITOR),
    Suggestion("Shipped, ETA passed", "shipped ROs with ETA passed"),
    Suggestion("Dashboard", "dashboard"),
    Suggestion("Low stock", "low stock"),
]
DAY = [  # the work in between: quotes that stall, parts to find
    Suggestion("Quotes waiting 2+ weeks", "which ROs are waiting on a quote for more than 2 weeks"),
    Suggestion("Find a part", "find starter generator"),
    Suggestion("Low stock", "low stock"),
    Suggestion("Dashboard", "dashboard"),
]
EVENING = [  # close the day: what is still open, what went out
    Suggestion("Pending approvals", "pending approvals"),
    Suggestion("Emails sent", "email history"),
    Suggestion("Dashboard", "dashboard"),
    Suggestion("Shipped, ETA passed", "shipped ROs with ETA passed"),
]


def part_of_day(now: datetime) -> list[Suggestion]:
    if 5 <= now.hour < 11:
        return MORNING
    if 11 <= now.hour < 16:
        return DAY
    return EVENING


def suggestions(role: Role, now: datetime) -> list[Suggestion]:
    """Up to SHOWN suggestions for `role` at `now` (the desk's local time), none it may not use."""
    picked: list[Suggestion] = []
    for suggestion in [OVERDUE, *FOR_ROLE[role], *part_of_day(now)]:
        if role.rank >= suggestion.needs.rank and suggestion.message not in {
            s.message for s in picked
        }:
            picked.append(suggestion)
    return picked[:SHOWN]
