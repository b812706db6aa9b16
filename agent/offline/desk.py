"""Requests about many ROs at once, shops, and merged follow-ups — for the offline model.

Each recognizer returns the tool call (or the sentence to answer) for a request it owns, or None
when the request is not its kind.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic_ai.messages import ToolCallPart

from agent.offline.filters import search_filters
from domain.statuses import try_parse_status

NUMBERS = r"g?\d{3,9}(?:\s*(?:,|and|&|\+)\s*(?:ro\s*#?\s*)?g?\d{3,9})+"
SHOP_FIELDS = {"email": "email", "e-mail": "email", "phone": "phone", "contact": "contact",
               "terms": "terms", "payment terms": "terms"}  # fmt: skip


def _call(tool: str, **args) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args={k: v for k, v in args.items() if v is not None})


# ROs listed together: "38103 and 38408", "RO 38010, 38011 & G38012"
LISTED = re.compile(rf"\b(?:ro\s*#?\s*)?({NUMBERS})\b", re.IGNORECASE)


def numbers_in(text: str) -> list[str]:
    return re.findall(r"\d{3,9}", text)


def bulk(raw: str, t: str, today: date) -> ToolCallPart | str | None:
    """ "set 38103 and 38408 to APPROVED", "mark every SHIPPED RO at Avtech received", "archive all
    PAID ROs older than 90 days"."""
    many = LISTED.search(t)
    every = re.search(r"\b(?:every|all|each)\b", t)
    if not (many or every):
        return None
    m = re.match(r"(?:please\s+)?(?:archive|move)\b(.*?)(?:\s+to\s+(net|paid|returns))?$", t)
    to = re.search(r"\s+(?:to|as)\s+([a-z ]+?)$", m[1]) if m and not m[2] else None
    if to and try_parse_status(to[1]):  # "move all waiting quote ROs to approved": a status
        m = None
    if m:
        if not (many or re.search(r"\bros?\b|\brepair orders?\b", m[1])):
            return None
        numbers = numbers_in(many[1]) if many else None
        selection = {} if numbers else search_filters(m[1], today).args
        # "archive all PAID ROs": the status PAID (the word also names the Paid archive)
        status = selection.get("status") or {"PAID": "PAID"}.get(selection.get("archive", ""))
        return _call(
            "bulk_archive",
            ro_numbers=numbers,
            status=status,
            shop=selection.get("shop"),
            older_than_days=_age(m[1]),
            archive=m[2].upper() if m[2] else None,
        )
    verb = r"(?:please\s+)?(?:set|mark|change|move|update|make)\s+"
    m = re.match(rf"{verb}(.*?)\s+(?:to|as)\s+([a-z ]+?)$", t)
    if m:
        selection_text, target = m[1], try_parse_status(m[2])
        if target is None:
            return f'"{m[2]}" is not a status I know. Use e.g. APPROVED, IN WORK, SHIPPED.'
    else:  # "mark every SHIPPED RO at Avtech received": the status is the last words
        m = re.match(rf"{verb}(.*)$", t)
        words = m[1].split() if m else []
        tail = next((n for n in (3, 2, 1) if len(words) > n and try_parse_status(
            " ".join(words[-n:]))), None)  # fmt: skip
        if tail is None:
            return None
        selection_text, target = " ".join(words[:-tail]), try_parse_status(" ".join(words[-tail:]))
    if many:
        return _call("bulk_update_status", ro_numbers=numbers_in(many[1]), new_status=target.value)
    selection = search_filters(selection_text, today).args
    return _call(
        "bulk_update_status",
        new_status=target.value,
        status=selection.get("status"),
        shop=selection.get("shop"),
        older_than_days=_age(selection_text),
    )


def _age(text: str) -> int | None:
    m = re.search(r"\b(?:older than|more than|over)\s+(\d+)\s*(day|week|month)s?\b", text)
    if not m:
        return None
    return int(m[1]) * {"day": 1, "week": 7, "month": 30}[m[2]]


def shops(raw: str, t: str) -> ToolCallPart | None:
    """The shop directory: list, search, show one, change its email / phone / contact / terms."""
    fields = "|".join(sorted(SHOP_FIELDS, key=len, reverse=True))
    if m := re.match(
        rf"(?:please\s+)?(?:set|change|update|make)\s+(?:the\s+)?({fields})\s+(?:of|for)\s+"
        rf"(?:shop\s+)?(.+?)\s+to\s+(\S.*)$",
        raw,
        re.I,
    ):
        return _call("update_shop", shop=m[2].strip(), **{SHOP_FIELDS[m[1].lower()]: m[3]})
    if m := re.match(rf"(.+?)'s\s+({fields})\s+is\s+(?:now\s+)?(\S.*)$", raw, re.I):
        return _call("update_shop", shop=m[1].strip(), **{SHOP_FIELDS[m[2].lower()]: m[3]})
    contacts = r"(?:e-?mails?|contacts?|phones?(?: numbers?)?|details)"
    if re.fullmatch(
        r"(?:list |show |all |our )*(?:the )?(?:shops|vendors|repair shops)"
        rf"(?:'? {contacts}| with (?:their )?{contacts}(?:(?:,| and) {contacts})*)?"
        rf"|(?:shop|vendor) {contacts}",
        t,
    ):  # "shops", "list shops with their emails", "shop emails"
        return _call("list_shops")
    # "email of Avtech Hydraulics", "what's the phone number for Avtech" (an RO's is a draft)
    if (
        m := re.match(
            r"(?:(?:what|who)(?:'s| is) )?(?:the |our )?(?:e-?mail|phone|contact)"
            r"(?: address| number| person)?"
            r" (?:of|for|at) (?:the )?(?:shop |vendor )?(.+)$",
            t,
        )
    ) and not re.search(r"\bros?\b|\d{3,9}", m[1]):
        return _call("get_shop", shop=m[1].strip())
    if m := re.match(r"(?:find|search|look up|search for)\s+(?:a\s+)?(?:shop|vendor)s?\s+(.+)$", t):
        return _call("list_shops", query=m[1].strip())
    if m := re.match(r"(?:shops?|vendors?)\s+(?:like|named|called|matching)\s+(.+)$", t):
        return _call("list_shops", query=m[1].strip())
    if m := re.match(
        r"(?:show |tell me about |info on |details for |contact (?:for|at|of) |"
        r"(?:what is|what's) the (?:email|phone|contact) (?:for|of|at) )"
        r"(?:the\s+)?(?:shop|vendor)?\s*(.+)$",
        t,
    ):
        name = m[1].strip()
        # not "show me RO 38159 and what else went to that shop": an RO, not a shop's name
        named_ro = re.search(r"\bros?\b|\d{3,9}", name)
        if not named_ro and (
            re.search(r"\b(?:shop|vendor)\b", t) or t.startswith(("contact", "what"))
        ):
            return _call("get_shop", shop=name)
    if m := re.match(r"(?:shop|vendor)\s+(.+?)(?:\s+(?:scorecard|details|info))?$", t):
        return _call("get_shop", shop=m[1].strip())
    return None


def follow_ups(t: str) -> ToolCallPart | None:
    """ "follow up with every shop that has overdue ROs", "chase all shops", "follow up with
    Avtech"."""
    if not re.search(r"\b(?:follow[- ]?ups?|chase|nudge)\b", t):
        return None
    if re.search(r"\bros?\b.*\bto (?:follow[- ]?up|chase)\b", t):
        return None  # "ROs to follow up tomorrow": a list by follow-up date, not a draft
    if re.search(r"\b(?:every|all|each)\s+(?:the\s+)?shops?\b|\bshops? (?:that|with)\b", t):
        return _call("draft_follow_ups_by_shop")
    m = re.search(r"\b(?:with|on|to)\s+(?:shop\s+)?([a-z][\w&.' -]+?)(?:\s+about.*)?$", t)
    if m and not re.search(r"\d{3,}", m[1]):
        return _call("draft_follow_ups_by_shop", shop=m[1].strip())
    return None
