"""One RO's question answered before its card: yes or no (overdue? shipped?), when it is due
back, how long it has been at the shop, what it cost, what changed on it in a period."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from agent.offline.dates import span
from agent.offline.filters import CHANGES_ASKED, SPAN
from agent.offline.wording import change_line, days_ago, money
from domain.overdue import AT_SHOP as _AT_SHOP
from domain.ro_history import HISTORY_LIMIT
from domain.statuses import CAME_BACK, EARLY_EXITS, Status, try_parse_status


def yes_or_no(question: str, r: dict[str, Any]) -> str:
    """ "is RO 38010 overdue?", "has it shipped?" answered before the RO's card: yes or no, and
    why. Empty when the question is neither."""
    return (
        _how_long_there(question, r)
        or _when_back(question, r)
        or _overdue_answer(question, r)
        or _shipment_answer(question, r)
        or _cost_answer(question, r)
    )


COST_ASKED = (
    r"\b(?:what did (?:we|it) (?:pay|cost)|how much (?:did|does|is|was|will)|"
    r"(?:what(?:'s| is| was)|what are) (?:the |its )?(?:final |estimated |repair )?"
    r"(?:cost|price|charge|quote|estimate)s?|cost of|price of|quote (?:for|on))\b"
)


def _cost_answer(question: str, r: dict[str, Any]) -> str:
    """ "what did we pay for RO 38010?", "how much is RO 38010": the final cost, else that
    there is none yet and what the estimate is; empty when the question is not that."""
    if not re.search(COST_ASKED, question, re.I):
        return ""
    n, final, estimate = r["number"], r.get("final_cost"), r.get("estimated_cost")
    quoted = f"the estimate is {money(estimate)}" if estimate not in (None, "") else "no estimate"
    if final not in (None, ""):
        return f"RO {n}'s final cost is **{money(final)}** ({quoted}).\n\n"
    return f"RO {n} has **no final cost yet**; {quoted}.\n\n"


HOW_LONG_THERE = (
    r"\bhow long\b.*\b(?:at|with|in) (?:the )?(?:shop|vendor|repair)\b|"
    r"\bhow long\b.*\b(?:been|sat|sitting) (?:there|out)\b|\bdays at (?:the )?shop\b"
)


def _how_long_there(question: str, r: dict[str, Any]) -> str:
    """ "how long has RO 38010 been at the shop?" answered with days since drop-off while it is
    there, else where it is; empty when the question is not that."""
    if not re.search(HOW_LONG_THERE, question, re.I):
        return ""
    n, dropped = r["number"], r.get("date_dropped_off")
    status = r.get("status") or r.get("raw_status") or "no status"
    since = f"{status} since {r.get('status_date') or '—'}"
    days = r.get("days_at_shop")
    if days is not None:
        return (
            f"RO {n} has been at the shop **{days} day{'s' if days != 1 else ''}** (dropped off "
            f"{dropped}; {since}).\n\n"
        )
    if try_parse_status(status) in _AT_SHOP and not dropped:
        return f"RO {n} is at the shop ({since}), but no drop-off date is recorded.\n\n"
    where = f"dropped off {dropped}; " if dropped else ""
    return f"RO {n} is not at the shop now ({where}{since}).\n\n"


def _overdue_answer(question: str, r: dict[str, Any]) -> str:
    if not re.search(r"\b(?:overdue|late|past due|behind)\b", question, re.I):
        return ""
    n, due = r["number"], r.get("next_update")
    if r.get("is_overdue"):
        days = r["days_overdue"]
        return f"**Yes** — RO {n} is {days} days overdue: its follow-up was due {due}.\n\n"
    if r.get("archive") != "ACTIVE":
        return (
            f"**No** — RO {n} is in the {r['archive'].title()} archive, so it is not overdue.\n\n"
        )
    if due:
        return f"**No** — RO {n} is not overdue: its next follow-up is due {due}.\n\n"
    return f"**No** — RO {n} has no follow-up date, so it is not overdue.\n\n"


# Where an RO is on its way back from the shop, by status (domain/statuses.py's lifecycle).
_SHIPPED_BACK = {Status.SHIPPED}
_ENDED_THERE = EARLY_EXITS.difference(CAME_BACK)  # BER, scrapped, cancelled: not coming back


def _shipment_answer(question: str, r: dict[str, Any]) -> str:
    """ "has RO 38010 shipped?", "is RO 38010 back?" answered before the card from its status;
    empty when the question is neither, or the status is not one the desk's list knows."""
    shipped = re.search(r"\b(?:shipped|ship|shipping|sent back|on its way)\b", question, re.I)
    back = re.search(r"\b(?:back|received|receive|arrived|arrive|delivered)\b", question, re.I)
    status = try_parse_status(r.get("status") or r.get("raw_status"))
    if not (shipped or back) or status is None:
        return ""
    n, since = r["number"], r.get("status_date") or "—"
    tracking = f", tracking {r['tracking_number']}" if r.get("tracking_number") else ""
    eta = f"; ETA {r['estimated_delivery']}" if r.get("estimated_delivery") else ""
    if status in CAME_BACK:
        return f"**Yes** — RO {n} has come back: it is {status} since {since}.\n\n"
    if status in _SHIPPED_BACK:
        if back:
            return f"**Not yet** — RO {n} is on its way back: SHIPPED since {since}{tracking}.\n\n"
        return f"**Yes** — RO {n} was shipped back: SHIPPED since {since}{tracking}.\n\n"
    if status in _ENDED_THERE:
        return f"**No** — RO {n} ended {status} on {since}; no shipment back is recorded.\n\n"
    if status == Status.TO_SEND:
        return f"**No** — RO {n} has not gone to the shop yet: TO SEND since {since}.\n\n"
    return (
        f"**No** — RO {n} has not shipped back yet: it is at the shop, {status} since "
        f"{since}{eta}.\n\n"
    )


def _when_back(question: str, r: dict[str, Any]) -> str:
    """ "when is RO 38010 due back?" answered with a date (its ETA) and where the unit is, not
    with a yes or no; empty when the question is not "when" about its coming back."""
    when = re.search(
        r"^\W*(?:when|by when|what date|how soon|how long until)\b|\beta\b", question, re.I
    )
    about = r"\b(?:back|return\w*|arriv\w*|deliver\w*|ship\w*|due|eta|expect\w*)\b"
    status = try_parse_status(r.get("status") or r.get("raw_status"))
    if not when or not re.search(about, question, re.I) or status is None:
        return ""
    n, since, eta = r["number"], r.get("status_date") or "—", r.get("estimated_delivery")
    if status in CAME_BACK:
        return f"RO {n} has already come back: it is {status} since {since}.\n\n"
    if status in _ENDED_THERE:
        return f"RO {n} is not coming back: it ended {status} on {since}.\n\n"
    if not eta:
        expected = f"RO {n} has no ETA recorded"
    elif r.get("eta_passed"):
        expected = f"RO {n} was due back by {eta} — its ETA passed {days_ago(r)}"
    else:
        expected = f"RO {n} is due back by {eta} (its ETA)"
    if status in _SHIPPED_BACK:
        tracking = f", tracking {r['tracking_number']}" if r.get("tracking_number") else ""
        return f"{expected}; it is on its way: SHIPPED since {since}{tracking}.\n\n"
    if status == Status.TO_SEND:
        return f"{expected}; it has not gone to the shop yet: TO SEND since {since}.\n\n"
    return f"{expected}; it is at the shop, {status} since {since}.\n\n"


def changes_in(question: str, content: dict[str, Any], today: date) -> str:
    """ "what changed on RO 38010 last week?" answered before the RO's card with the changes in
    that period (the desk's days), or that there were none; empty when no period was asked."""
    if not re.search(CHANGES_ASKED, question, re.I):
        return ""
    n = content["repair_order"]["number"]
    m = re.search(rf"\b(?:in |during |over |for )?({SPAN})(?=\W|$)", question.lower())
    period = span(m[1], today) if m else None
    if period is None:
        if said := re.search(PERIOD_SAID, question.lower()):
            return (
                f"Note: I could not read “{said[0]}” as a period — so the history below is "
                f"RO {n}'s latest changes, not cut to it.\n\n"
            )
        return ""
    start, end = period
    entries = content.get("history") or []
    label = m[0].strip() + _dates_of(start, end)
    inside = [
        e
        for e in entries
        if (start is None or e["day"] >= start.isoformat())
        and (end is None or e["day"] <= end.isoformat())
    ]
    # The history holds the newest changes only: say so if the period reaches past them.
    shorter = (
        f" (the history I have goes back to {entries[-1]['day']})"
        if len(entries) >= HISTORY_LIMIT and start and entries[-1]["day"] > start.isoformat()
        else ""
    )
    if not inside:
        last = f" — its last change was {entries[0]['when']}" if entries else ""
        return f"**No changes** to RO {n} {label}{last}{shorter}.\n\n"
    lines = "\n".join(change_line(e) for e in inside[:20])
    more = f"\n- … and {len(inside) - 20} more" if len(inside) > 20 else ""
    count = f"{len(inside)} change{'s' if len(inside) != 1 else ''}"
    return f"**{count}** to RO {n} {label}{shorter}:\n{lines}{more}\n\n"


# "in smarch", "during the audit": a period asked for that SPAN could not read (not "on RO 38010")
PERIOD_SAID = (
    r"\b(?:in|during|over|since|from|before|after|between|until)\s+(?!ro\b|ros\b|#|g?\d)\w+"
    r"(?:\s+(?!ro\b|ros\b|on\b|at\b|for\b|and\b|g?\d)\w+){0,2}"
)


def _dates_of(start: date | None, end: date | None) -> str:
    """The days a period label stands for: "since monday" → " (from 2026-11-30)"."""
    if start and end:
        return f" ({start})" if start == end else f" ({start} – {end})"
    if start:
        return f" (from {start})"
    return f" (up to {end})" if end else ""
