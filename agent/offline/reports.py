"""Reports and exports, as the desk asks for them — for the offline model.

"how much did we spend with each shop this year"   report spend_by_shop, this year
"which shop is slowest on hydraulic pumps?"        report turnaround, part hydraulic pumps
"send me the overdue list as Excel"                 export ro_list {overdue}
"export that" (after a list or a report)            export of that, with its conditions
"""

from __future__ import annotations

import re
from datetime import date

from pydantic_ai.messages import ModelMessage, ToolCallPart

from agent.offline.dates import MONTH
from agent.offline.filters import MISSING_SAID, describe_leftover, search_filters

PERIOD = (
    rf"(?:this|last) (?:year|month|quarter)|ytd|year to date|(?:the )?(?:last|past) \d+ "
    rf"(?:days?|weeks?|months?)|q[1-4](?: \d{{4}})?|(?:{MONTH})(?: \d{{4}})?|(?:19|20)\d{{2}}|"
    rf"(?:from |between )?(?:{MONTH})(?: \d{{4}})? (?:to|until|through|and) "
    rf"(?:{MONTH})(?: \d{{4}})?|"
    rf"from \S+ to \S+"
)
CERTIFICATE = r"(?:release )?cert(?:ificate)?s?|8130(?:-?3)?s?|easa form 1|form 1s?|\barcs?"
KINDS = [
    (rf"\b(?:{CERTIFICATE})\b.*\b(?:mismatch\w*|missing|without|no|invalid|valid|wrong|"
     rf"shops?|overrid\w*|per|by)\b|\b(?:without|no|missing|invalid|wrong|mismatch\w*)\b.*"
     rf"\b(?:{CERTIFICATE})\b", "certificates"),
    # "per month", "monthly": not "last month" (a period)
    (r"\b(?:spen[dt]|spending|costs?|paid out)\b.*\b(?:monthly|(?:per|by|each|every|a) month)\b"
     r"|\bmonthly\b.*\b(?:spen[dt]|spending|costs?)\b", "spend_by_month"),
    (r"\b(?:spen[dt]|spending|costs?|paid out)\b", "spend_by_shop"),
    (r"\bquote(?:s)? (?:latency|turnaround|time)|how (?:long|fast) (?:do|are) (?:the )?"
     r"(?:shops? )?quot|\bquote latency\b|(?:slowest|fastest|take) to quote", "quote_latency"),
    # "which shops were late against the ETA last quarter" (not "ROs late against their ETA":
    # a list of open ROs)
    (r"\bon[- ]time\b|\blate deliver|\bdeliver(?:s|ed)? late\b|\bmiss(?:es|ed)? (?:the |their )?"
     r"eta|\b(?:shops?|vendors?)\b.*\blate (?:against|on|versus|vs\.?) (?:the |their )?etas?\b",
     "on_time"),
    (r"\bber\b|\brai\b|\bscrap(?:ped)?\b|\bbeyond economical\b|\breturned as is\b|"
     r"\boutcomes?\b", "outcomes"),
    (r"\bturn ?around\b|\btat\b|\bslowest\b|\bfastest\b|\bhow long\b.*\b(?:repair|return)|"
     r"\brepair time\b|\blead time\b|\b(?:takes?|taking|took) (?:the )?(?:longest|longer|"
     r"shortest|least time|most time)\b|\b(?:longest|quickest|shortest) to (?:return|repair|"
     r"turn)|\baverage (?:repair|return|turn ?around) time", "turnaround"),
]  # fmt: skip
EXPORT = (
    r"\b(?:export|download|(?:as |in |to )?(?:csv|xlsx)|(?:as|in|to) (?:an? )?(?:excel|"
    r"spreadsheet)(?: file)?)\b"
)
# "export that", "send me that as csv", "download it": the last list or report of the thread.
EXPORT_THAT = (
    r"\b(?:export|download|send(?: me)?)\s+(?:that|this|it|those|these)\b(?!\s+(?:year|month|week))"
)
COMPONENTS = (
    r"pumps?|valves?|actuators?|starters?|generators?|motors?|brakes?|wheels?|propellers?|"
    r"props?|gearboxes|gearbox|servos?|regulators?|heat exchangers?|fuel controls?|batter(?:y|ies)"
    r"|landing gears?|struts?|instruments?|avionics|radios?"
)
# Not filters: paging and order belong to the list in the chat; a file holds every match.
NOT_FILTERS = ("sort", "limit", "cursor", "count_by", "totals")


def _call(tool: str, **args) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args={k: v for k, v in args.items() if v is not None})


def _period(t: str) -> str | None:
    m = re.search(rf"\b(?:in |for |during |over )?({PERIOD})\b", t)
    return m[1] if m else None


def _part(t: str) -> str | None:
    m = re.search(rf"\b(?:on|for) ((?:[a-z0-9-]+ ){{0,2}}(?:{COMPONENTS}))\b", t)
    if m:
        return m[1]
    m = re.search(r"\b(?:part|p/?n)\b\s*#?\s*((?=[\w\-./]*\d)[a-z0-9][\w\-./]*)", t)
    return m[1].upper() if m else None


def _shop(t: str) -> str | None:
    # "from March to May" is a period, not a shop
    m = re.search(r"\b(?:at|with|from|(?:send|sent|sending|ship|shipped) to) "
                  rf"(?!each|every|all|the shops|(?:{MONTH}|this|last|q[1-4])\b)"
                  r"([a-z][\w&.' -]+?)"
                  r"(?= (?:this|last|in|for|during|over|on|since|from|between|q[1-4])\b|$)",
                  t)  # fmt: skip
    if m:
        return m[1].strip()
    # "turnaround for Avtech in Q3": "for" names a shop too, unless what follows is a period,
    # every shop, a part ("for hydraulic pumps", "for part 1706B") or the work itself
    m = re.search(rf"\bfor (?!(?:each|every|all|any|the|our|my|this|last|next|{MONTH}|"
                  r"q[1-4]|parts?|p/?n|repairs?|quotes?|returns?|ros?|units?|work|"
                  r"turn ?arounds?|deliver\w*)\b)"
                  r"([a-z][\w&.' -]+?)"
                  r"(?= (?:this|last|in|during|over|on|since|from|between|q[1-4])\b|[?.!]|$)",
                  t)  # fmt: skip
    if m and not re.search(rf"\b(?:{COMPONENTS})$", m[1]):
        return m[1].strip()
    return None


# Reports that are averages already; the others give totals and counts per group.
AVERAGE_KINDS = ("turnaround", "quote_latency")
CHANGE = r"(?:please\s+)?(?:set|change|update|mark|move|archive|use|new|create|open)\b"


def _not_blank_fields(t: str) -> str:
    """The request without its blank fields: "paid ROs with no final cost" asks for a list,
    and its "cost" is no spend report."""
    return re.sub(MISSING_SAID, " ", t, flags=re.I)


def report(t: str, today: date) -> tuple[str | None, ToolCallPart] | None:
    """(a note on what it cannot honour, the call) for a report request, or None.

    A report covers every RO of a period, by shop or part. Asked about ROs of a status, an
    archive, overdue ones ("the total cost of the ROs waiting quote", "turnaround for waiting
    quote ROs"): a money question is that list's totals; any other report says it cannot be
    narrowed so — never the whole desk's figures as if they were those ROs'."""
    # an RO number means one RO ("8130" is the form, a period's year is a year, not an RO)
    numbers = re.sub(rf"(?<!ro )(?<!#)\b(?:in |for |during |over )?(?:{PERIOD})\b", " ", t)
    if (
        re.search(EXPORT, t)
        or re.match(CHANGE, t)
        or re.search(r"\bg?(?!8130\b)\d{4,9}\b", numbers)
    ):
        return None
    asked = _not_blank_fields(t)
    for pattern, kind in KINDS:
        if re.search(pattern, asked):
            if kind == "outcomes" and re.search(r"\b(?:set|mark|change|move)\b", t):
                return None  # "mark 38462 as BER" is a change, not a report
            if kind == "outcomes" and re.search(OUTCOME_LISTED, t) and not re.search(RATE, t):
                return None  # "show me BER ROs from last month": those ROs (a status), no rate
            # the outcomes report's own subject (BER, RAI, scrap) is no condition on it
            own = OUTCOME_WORDS if kind == "outcomes" else r"(?!)"
            listed = _list_conditions(re.sub(own, " ", t), today)
            if listed and kind.startswith("spend"):
                return _list_totals(t, today)
            shop = _shop(t)
            if shop and _list_conditions(shop, today):
                shop = None  # "for waiting quote ROs": a status, not a shop
            call = _call("report", kind=kind, period=_period(t) or "this year", shop=shop,
                         part=_part(t))  # fmt: skip
            return _report_note(t, kind, listed), call
    return None


# ROs named by their outcome, listed ("BER ROs", "which units were scrapped")...
OUTCOME_LISTED = r"\b(?:ros?|repair orders?|units?)\b"
# ...unless a rate or a count per shop is asked of them
RATE = (
    r"\b(?:rates?|percent\w*|ratio|outcomes?|how many|count|number of|per|by|each|most|"
    r"highest|lowest|worst|best)\b|%"
)
OUTCOME_WORDS = r"\b(?:ber|rai|scrap(?:ped)?|beyond economical(?: repair)?|returned as is)\b"
# What a report can be asked for besides its period: the rest are an RO list's conditions.
REPORT_SCOPE = ("shop", "totals", "count_by", "sort", "limit", "cursor")
# A money question's own words: none of them a condition on the ROs.
MONEY_WORDS = (
    r"\b(?:(?:the )?total|estimated|estimates?|costs?|spen[dt]|spending|paid out|sum|value|"
    r"worth|money|dollars?|how much|did we|do we|have we|on|what'?s|what is|what are)\b"
)


def _list_conditions(t: str, today: date) -> dict:
    """The RO-list conditions (status, archive, overdue, blank fields...) the text names."""
    rest = re.sub(rf"\b(?:in |for |during |over )?(?:{PERIOD})\b", " ", t)
    args = search_filters(rest, today).args
    return {k: v for k, v in args.items() if k not in REPORT_SCOPE}


def _list_totals(t: str, today: date) -> tuple[str | None, ToolCallPart]:
    """ "what's the total estimated cost of the ROs waiting quote?": those ROs' costs summed."""
    found = search_filters(re.sub(MONEY_WORDS, " ", t), today)
    args = {k: v for k, v in found.args.items() if k not in ("sort", "limit", "cursor")}
    return describe_leftover(found), _call("search_repair_orders", **args, totals=True)


def _condition(name: str, value) -> str:
    """ "status WAITING QUOTE", "overdue", "missing final_cost" """
    name = name.replace("_", " ")
    if value is True:
        return name
    return f"{name} {', '.join(map(str, value)) if isinstance(value, list) else value}"


def _report_note(t: str, kind: str, listed: dict) -> str | None:
    """What a report request asks that its report does not give, said rather than dropped."""
    notes = []
    if listed:
        said = "; ".join(_condition(k, v) for k, v in listed.items())
        notes.append(
            f"Note: a report cannot be narrowed to the ROs you named ({said}): it covers every "
            "RO of the period (at the shop or for the part named). "
        )
    if kind not in AVERAGE_KINDS and re.search(r"\b(?:average|mean)\b", t):
        notes.append(
            "Note: this report gives totals and RO counts per group, not averages "
            "(divide the spend by the ROs). "
        )
    return "".join(notes) or None


def export(t: str, today: date) -> ToolCallPart | str | None:
    """ "send me the overdue list as Excel", "export spend by shop as csv" — or None. ("export
    that" needs the conversation: the model answers it, see `export_last`.)"""
    if not re.search(EXPORT, t) or re.search(EXPORT_THAT, t):
        return None
    if re.search(r"\b(?:sync|workbook|up to date)\b", t):  # the company workbook, not a file
        return None
    fmt = "csv" if "csv" in t else "xlsx"
    asked = _not_blank_fields(t)
    for pattern, kind in KINDS:
        if re.search(pattern, asked):
            return _call("export", what=kind, format=fmt, period=_period(t) or "this year",
                         shop=_shop(t), part=_part(t))  # fmt: skip
    stripped = re.sub(EXPORT + r"|\b(?:list|send|me|file|please|sheet)\b", " ", t)
    found = search_filters(stripped, today)
    return _list_export(found.args, fmt)


def _list_export(args: dict, fmt: str) -> ToolCallPart:
    filters = {k: v for k, v in args.items() if k not in NOT_FILTERS}
    # Said outright: open ROs for overdue/ETA-passed lists (the search's own reading), else all.
    open_only = (filters.get("overdue") or filters.get("eta_passed")) and not filters.get("shop")
    filters.setdefault("archive", "ACTIVE" if open_only else "ALL")
    return _call("export", what="ro_list", format=fmt, filters=filters)


def export_last(messages: list[ModelMessage], t: str) -> ToolCallPart | str:
    """ "export that": the last list or report of the conversation, as a file."""
    fmt = "csv" if "csv" in t else "xlsx"
    for message in reversed(messages):
        for part in reversed(message.parts):
            if not isinstance(part, ToolCallPart):
                continue
            args = part.args_as_dict()
            if part.tool_name == "report":
                same = {k: args[k] for k in ("period", "shop", "part") if k in args}
                return _call("export", what=args["kind"], format=fmt, **same)
            if part.tool_name in ("search_repair_orders", "list_repair_orders"):
                args.pop("cursor", None)
                return _list_export(args, fmt)
    return "Export what? Ask for a list or a report first, then say **export that**."
