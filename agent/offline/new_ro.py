"""New repair orders and new shops as the desk types them:

    new RO for avtech part 066-50008 serial 123 description hydraulic pump work overhaul
        cost 1500 eta 12/20 notes customer AOG
    new RO for part 066-50008 at Avtech Hydraulics
    new shop Precision Aero email repairs@precisionaero.com terms NET 30

Each field is a keyword followed by its value, in any order; `notes` takes the rest of the line.
The shop keywords (for / at / to / with / shop) count once, so "with" inside a description
stays in it. The tool matches the shop in the directory and checks every value.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic_ai.messages import ToolCallPart

from agent.offline.dates import day

# keyword (as typed) -> tool argument; longer spellings first where one starts another
RO_KEYWORDS = {
    "required work": "required_work",
    "req work": "required_work",
    "work": "required_work",
    "part description": "part_description",
    "description": "part_description",
    "desc": "part_description",
    "part number": "part_number",
    "part": "part_number",
    "p/n": "part_number",
    "pn": "part_number",
    "serial number": "serial_number",
    "serial": "serial_number",
    "s/n": "serial_number",
    "sn": "serial_number",
    "estimated cost": "estimated_cost",
    "cost": "estimated_cost",
    "quote": "estimated_cost",
    "terms": "terms",
    "shop ref": "shop_ref",
    "shop reference": "shop_ref",
    "eta": "estimated_delivery",
    "due": "estimated_delivery",
    "date made": "date_made",
    "made": "date_made",
    "dropped off": "date_dropped_off",
    "dropped": "date_dropped_off",
    "status": "status",
    "notes": "notes",
    "note": "notes",
    "shop": "shop_name",
    "for": "shop_name",
    "at": "shop_name",
    "to": "shop_name",
    "with": "shop_name",
}
SHOP_KEYWORDS = {"email": "email", "e-mail": "email", "contact": "contact", "phone": "phone",
                 "terms": "terms"}  # fmt: skip
DATE_FIELDS = ("estimated_delivery", "date_made", "date_dropped_off")
NEEDS = (
    "To open an RO I need the part and the shop: **new RO for avtech part 066-50008 serial "
    "123 description hydraulic pump work overhaul cost 1500 eta 12/20**."
)


def _call(tool: str, **args: Any) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args={k: v for k, v in args.items() if v is not None})


def _fields(text: str, keywords: dict[str, str], once: set[str]) -> dict[str, str]:
    """Keyword-value pairs of `text` (see the module). A keyword already used is part of the
    value before it; a keyword of `once` with no value ("for part ...") was just a word."""
    pattern = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    found: list[tuple[int, int, str]] = []  # value start, keyword start, field
    for m in re.finditer(rf"(?<![\w/-])({pattern})(?![\w/-])\s*:?\s*", text, re.I):
        field = keywords[m[1].lower()]
        if found and found[-1][2] in once and not text[found[-1][0] : m.start()].strip(" ,;"):
            found.pop()
        if field in {f for _, _, f in found}:
            continue
        found.append((m.end(), m.start(), field))
        if field == "notes":  # the rest of the line, whatever words it has
            break
    values: dict[str, str] = {}
    for i, (start, _, field) in enumerate(found):
        end = found[i + 1][1] if i + 1 < len(found) else len(text)
        value = text[start:end].strip(" ,;")
        if value:
            values[field] = value
    return values


def new_repair_order(raw: str, t: str, today: date) -> ToolCallPart | str | None:
    """ "new RO ..." -> create_repair_order with every field given; None when it is not one."""
    m = re.match(r"(?:please\s+)?(new|create|open)\s+(?:a\s+|an\s+)?(?:new\s+)?ro\b\s*", t)
    if not m:
        return None
    if m[1] == "open" and re.match(r"(?:#|no\.?|number)?\s*g?\d", t[m.end() :]):
        return None  # "open RO 38462": show that RO, not a new one
    values = _fields(raw[m.end() :], RO_KEYWORDS, {"shop_name"})
    if not (values.get("shop_name") and values.get("part_number")):
        return NEEDS
    for field in DATE_FIELDS:
        if field in values:
            found = day(values[field].lower(), today)
            values[field] = found.isoformat() if found else values[field]
    if "estimated_cost" in values:
        values["estimated_cost"] = values["estimated_cost"].replace("$", "").replace(",", "")
    return _call("create_repair_order", **values)


def new_shop(raw: str, t: str) -> ToolCallPart | str | None:
    """ "new shop NAME email ADDRESS ..." -> create_shop; None when it is not one."""
    m = re.match(r"(?:please\s+)?(?:new|create|add)\s+(?:a\s+)?(?:new\s+)?(?:shop|vendor)\s+", t)
    if not m:
        return None
    rest = raw[m.end() :]
    first = re.search(
        rf"(?<![\w/-])({'|'.join(map(re.escape, SHOP_KEYWORDS))})(?![\w/-])", rest, re.I
    )
    name = (rest[: first.start()] if first else rest).strip(" ,;")
    if not name:
        return "Which shop? e.g. **new shop Precision Aero email repairs@precisionaero.com**."
    values = _fields(rest[first.start() :], SHOP_KEYWORDS, set()) if first else {}
    return _call("create_shop", name=name, **values)
