"""What a follow-up email says: subject and HTML body per RO status (REFERENCE §1-2).

    WAITING QUOTE               "Follow-up: RO# G38462"        asks for the quote
    APPROVED / IN WORK          "Repair Status: RO# G38462"    asks for progress and a date
    SHIPPED                     "Tracking: RO# G38462"         asks for tracking
    anything else               "Status Update: RO# G38462"
    several ROs, one shop       "Status Update for RO #N" (1), "Status Update: RO #a, #b" (2-3),
                                "Status Update: Multiple Orders ({shop})" (4+), with a table

Every value from the data is HTML-escaped here; the send prefix ("[GenThrust Follow-Up] ")
is added when the message is built, not stored in the draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from domain.statuses import Status

SIGN_OFF = "Thank you,<br>GenThrust Repair Desk"


@dataclass(frozen=True)
class RoFacts:
    """The parts of an RO an email mentions."""

    number: str
    status: Status | None
    status_date: date | None = None
    part_number: str | None = None
    part_description: str | None = None
    serial_number: str | None = None
    shop_ref: str | None = None
    tracking_number: str | None = None
    estimated_delivery: date | None = None


@dataclass(frozen=True)
class Draft:
    subject: str
    body_html: str


def ro_label(number: str) -> str:
    """The RO as shops know it: legacy numbers carry a "G" ("RO# G38462")."""
    return f"G{number}" if number.isdigit() else number


def subject_for(ro: RoFacts) -> str:
    label = ro_label(ro.number)
    if ro.status is Status.WAITING_QUOTE:
        return f"Follow-up: RO# {label}"
    if ro.status in (Status.APPROVED, Status.IN_WORK):
        return f"Repair Status: RO# {label}"
    if ro.status is Status.SHIPPED:
        return f"Tracking: RO# {label}"
    return f"Status Update: RO# {label}"


def _e(value: object) -> str:
    return escape(str(value)) if value not in (None, "") else "—"


def _unit(ro: RoFacts) -> str:
    what = _e(ro.part_description) if ro.part_description else "the unit"
    return f"{what} (P/N {_e(ro.part_number)}, S/N {_e(ro.serial_number)})" + (
        f", your reference {_e(ro.shop_ref)}" if ro.shop_ref else ""
    )


def _ask(ro: RoFacts) -> str:
    since = f" since {ro.status_date:%m/%d/%Y}" if ro.status_date else ""
    if ro.status is Status.WAITING_QUOTE:
        return (
            f"We have been waiting for a quote{since}. Could you send us the quote, or let us "
            "know when to expect it?"
        )
    if ro.status is Status.APPROVED:
        return (
            f"The repair was approved{since}. Could you confirm the work has started and give us "
            "an estimated completion date?"
        )
    if ro.status is Status.IN_WORK:
        return (
            f"The unit has been in work{since}. Could you send us an update on the repair's "
            "progress and the estimated completion date?"
        )
    if ro.status is Status.SHIPPED:
        known = (
            f" We have tracking number {_e(ro.tracking_number)} on file; please confirm it."
            if ro.tracking_number
            else " Could you send us the tracking number and ship date?"
        )
        return f"Our records show the unit as shipped{since}.{known}"
    return "Could you send us an update on its status?"


def follow_up(ro: RoFacts, contact: str | None = None) -> Draft:
    """The email chasing one RO, worded for its status."""
    greeting = f"Hello {_e(contact)}," if contact else "Hello,"
    body = (
        f"<p>{greeting}</p>"
        f"<p>We are following up on our repair order <b>RO# {_e(ro_label(ro.number))}</b> for "
        f"{_unit(ro)}.</p>"
        f"<p>{_ask(ro)}</p>"
        f"<p>{SIGN_OFF}</p>"
    )
    return Draft(subject_for(ro), body)


def merged_subject(numbers: Sequence[str], shop: str | None) -> str:
    labels = [f"#{ro_label(n)}" for n in numbers]
    if len(labels) == 1:
        return f"Status Update for RO {labels[0]}"
    if len(labels) <= 3:
        return "Status Update: RO " + ", ".join(labels)
    return f"Status Update: Multiple Orders ({shop or 'your shop'})"


def merged(ros: Sequence[RoFacts], shop: str | None, contact: str | None = None) -> Draft:
    """One email to a shop about several ROs, with a table RO # | Part | Serial."""
    greeting = f"Hello {_e(contact)}," if contact else "Hello,"
    rows = "".join(
        f"<tr><td>{_e(ro_label(r.number))}</td><td>{_e(r.part_number)}</td>"
        f"<td>{_e(r.serial_number)}</td></tr>"
        for r in ros
    )
    body = (
        f"<p>{greeting}</p>"
        "<p>We are following up on the repair orders below. Could you send us an update on "
        "each: quote, repair progress, or tracking, as applies?</p>"
        '<table border="1" cellpadding="4"><thead><tr><th>RO #</th><th>Part</th>'
        f"<th>Serial</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p>{SIGN_OFF}</p>"
    )
    return Draft(merged_subject([r.number for r in ros], shop), body)
