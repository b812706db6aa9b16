"""The status vocabulary: canonical names, every legacy spelling as an alias, allowed moves.

The legacy app, v2 and the workbook spelled the same state many ways ("APPROVED >>>>",
"BEING REPAIRED", "CURRENTLY BEING SHIPPED"). We keep one canonical name per state and map the
rest here, so nothing else in the code base ever compares status strings by hand.
"""

from __future__ import annotations

import difflib
import re
from enum import StrEnum

from domain.errors import InvalidStatus, InvalidTransition


class Status(StrEnum):
    TO_SEND = "TO SEND"
    WAITING_QUOTE = "WAITING QUOTE"
    APPROVED = "APPROVED"
    IN_WORK = "IN WORK"
    ON_HOLD = "ON HOLD"
    SHIPPED = "SHIPPED"
    RECEIVED = "RECEIVED"
    COMPLETE = "COMPLETE"
    PAID = "PAID"
    PAYMENT_SENT = "PAYMENT SENT"
    BER = "BER"
    RAI = "RAI"
    CANCELLED = "CANCELLED"
    SCRAP = "SCRAP"


ALIASES: dict[str, Status] = {
    "TO BE SENT": Status.TO_SEND,
    "WAITING FOR QUOTE": Status.WAITING_QUOTE,
    "AWAITING QUOTE": Status.WAITING_QUOTE,
    "WAITING ON QUOTE": Status.WAITING_QUOTE,
    "QUOTE": Status.WAITING_QUOTE,
    "PENDING": Status.WAITING_QUOTE,
    "IN PROGRESS": Status.IN_WORK,
    "BEING REPAIRED": Status.IN_WORK,
    "WORKING": Status.IN_WORK,
    "IN REPAIR": Status.IN_WORK,
    "HOLD": Status.ON_HOLD,
    "IN TRANSIT": Status.SHIPPED,
    "SHIPPING": Status.SHIPPED,
    "CURRENTLY BEING SHIPPED": Status.SHIPPED,
    "PACKED": Status.SHIPPED,
    "DELIVERED": Status.RECEIVED,
    "COMPLETED": Status.COMPLETE,
    "DONE": Status.COMPLETE,
    "BEYOND ECONOMICAL REPAIR": Status.BER,
    "RETURNED AS IS": Status.RAI,
    "RETURN": Status.RAI,
    "RETURNED": Status.RAI,
    "CANCELED": Status.CANCELLED,
    "CANCEL": Status.CANCELLED,
    "SCRAPPED": Status.SCRAP,
}

# Terminal outcomes: the unit is not coming back repaired, the RO is finished.
TERMINAL: frozenset[Status] = frozenset(
    {Status.BER, Status.RAI, Status.CANCELLED, Status.SCRAP, Status.PAYMENT_SENT}
)
# The main line of an RO's life, in order. A status may move forward, skipping steps
# (a quote approved by phone goes straight to IN WORK), never backward.
LIFECYCLE: tuple[Status, ...] = (
    Status.TO_SEND,
    Status.WAITING_QUOTE,
    Status.APPROVED,
    Status.IN_WORK,
    Status.SHIPPED,
    Status.RECEIVED,
    Status.COMPLETE,
    Status.PAID,
    Status.PAYMENT_SENT,
)
# The unit received, and the steps of the main line that follow it.
RECEIVED_ONWARD: tuple[Status, ...] = LIFECYCLE[LIFECYCLE.index(Status.RECEIVED) :]
# The unit is back in our hands: received (and what follows it), or returned unrepaired.
CAME_BACK: tuple[Status, ...] = (*RECEIVED_ONWARD, Status.RAI)
# Outcomes that can end an RO any time before the unit is back and accepted.
EARLY_EXITS: frozenset[Status] = frozenset({Status.BER, Status.RAI, Status.CANCELLED, Status.SCRAP})
_HOLDABLE = frozenset(LIFECYCLE[: LIFECYCLE.index(Status.RECEIVED)])

_DECORATION = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r"\s+")


def _squash(text: str) -> str:
    text = text.upper().replace("_", " ").replace(".", "").replace("'", "")
    text = _DECORATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_LOOKUP: dict[str, Status] = {_squash(s.value): s for s in Status} | {
    _squash(alias): status for alias, status in ALIASES.items()
}


def parse_status(text: str | Status | None) -> Status:
    """The canonical status for any spelling we have met; `InvalidStatus` with a hint otherwise."""
    if isinstance(text, Status):
        return text
    key = _squash(text or "")
    if not key:
        raise InvalidStatus("A status is required.")
    if key in _LOOKUP:
        return _LOOKUP[key]
    close = difflib.get_close_matches(key, list(_LOOKUP), n=1, cutoff=0.75)
    hint = f' Did you mean "{_LOOKUP[close[0]]}"?' if close else ""
    known = ", ".join(s.value for s in Status)
    raise InvalidStatus(f'"{str(text)[:60]}" is not a status.{hint} Known statuses: {known}.')


def try_parse_status(text: str | None) -> Status | None:
    try:
        return parse_status(text)
    except InvalidStatus:
        return None


def allowed_next(current: Status | None) -> frozenset[Status]:
    """Statuses an RO in `current` may move to."""
    if current is None:
        return frozenset(Status)
    if current in TERMINAL:
        return frozenset()
    if current is Status.ON_HOLD:
        return (_HOLDABLE | EARLY_EXITS) - {Status.ON_HOLD}
    nexts: set[Status] = set(LIFECYCLE[LIFECYCLE.index(current) + 1 :])
    if current in _HOLDABLE:
        nexts |= EARLY_EXITS | {Status.ON_HOLD}
    if current is Status.RECEIVED:
        # Inspection on arrival can still scrap the unit or find it returned as is.
        nexts |= {Status.RAI, Status.SCRAP, Status.BER}
    return frozenset(nexts)


# How a change to the status an RO already has is refused (the offline model reads it).
ALREADY = "The RO is already"


def check_transition(current: Status | None, new: Status) -> None:
    if current == new:
        raise InvalidTransition(f"{ALREADY} {new}.")
    allowed = allowed_next(current)
    if new not in allowed:
        if not allowed:
            raise InvalidTransition(f"{current} is final; the status cannot change any more.")
        options = ", ".join(s.value for s in Status if s in allowed)
        raise InvalidTransition(
            f"An RO in {current} cannot move to {new}. It can move to: {options}."
        )
