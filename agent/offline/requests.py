"""What the offline model understands: a person's request -> the tool call (or an answer)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pydantic_ai.messages import ToolCallPart

from agent.offline.changes import feed_request
from agent.offline.dates import day
from agent.offline.desk import bulk, follow_ups, shops
from agent.offline.filters import (
    CHANGES_ASKED,
    RO_NAMED,
    SPAN,
    Found,
    describe_leftover,
    search_filters,
    words_of,
)
from agent.offline.glossary import meaning
from agent.offline.inbox import reply_request
from agent.offline.new_ro import new_repair_order, new_shop
from agent.offline.reports import EXPORT_THAT, export, report
from agent.offline.users import users
from domain.statuses import try_parse_status

HELP = """\
I'm the offline assistant (no AI model is configured, so I understand these requests):

- **RO 38462** — look up a repair order (any archive)
- **what changed yesterday** — every change on the desk then, and who made them (also
  **what did Jordan do this week**, **who did the most this week**)
- **overdue** — ROs past their follow-up date · **what came back this week** — units back
- **ROs at Avtech** — ROs by shop · **waiting quote ROs** — ROs by status
- **shipped ROs with no tracking number** — also no ETA, cost, serial, shop ref, follow-up date
- **what are the open ROs at Avtech worth?** — any list's costs summed
- **returns**, **net**, **paid archive** — the ROs of an archive (**all archives**: every one)
- **dashboard** — the figures, with charts
- **find part 066-50008** or **find starter** — search stock
- **low stock** — parts to reorder
- **set RO 38462 to APPROVED** — change a status (you confirm first)
- **set ETA of RO 38462 to 2026-12-15** — also cost, final cost, tracking, notes, shop ref, terms
- **add a note to RO 38462: shop called** — a line added under its notes (you confirm)
- **archive RO 38462** — move it where its status sends it (or **archive RO 38462 to paid**)
- **use part 066-50008 on RO 38462** — take one from stock
- after an RO's lookup or change, *it* is that RO: *set it to RECEIVED*, *archive it*, *its history*
- **new RO for avtech part 066-50008 serial 123 work overhaul cost 1500 eta 12/20** — open a
  repair order (also description, terms, shop ref, made, dropped off, notes; you confirm)
- **new shop Precision Aero email repairs@precisionaero.com** — add a shop (you confirm)
- **draft a follow-up for RO 38462** (or **for the most overdue RO**) / **email the shop about
  RO 38462** — an email draft (an approver presses Approve & send; nothing is sent before)
- **pending drafts** — email drafts waiting for approval · **email history** — sent and rejected
- **what did shops say today** / **anything from Avtech** / **inbox** — shops' replies and the
  updates they propose (you Confirm, Edit or Dismiss) · **email thread for RO 38462**
- **sync Excel** — rewrite the company workbook from the database (approvers; you confirm) ·
  **Excel status** — changes waiting for the workbook
- **pending approvals** — changes waiting for Confirm and email drafts waiting for approval
- **users** — (admins) who has access · **sessions of sam@example.com** ·
  **disable sam@example.com** / **enable sam@example.com** ·
  **make sam@example.com an approver** · **sign out sam@example.com** (you confirm each change)
- **what does BER mean?** — the desk's words explained (statuses, archives, overdue)
- **help** — this list

With `ANTHROPIC_API_KEY` set, a Claude model answers free-form questions with the same tools."""

NUMBER = r"(?:ro\s*#?\s*)?g?(\d{3,9})"
FIELDS = {
    "eta": "estimated_delivery",
    "estimated delivery": "estimated_delivery",
    "tracking": "tracking_number",
    "tracking number": "tracking_number",
    "cost": "estimated_cost",
    "estimated cost": "estimated_cost",
    "estimate": "estimated_cost",
    "final cost": "final_cost",
    "note": "notes",
    "notes": "notes",
    "shop ref": "shop_ref",
    "shop reference": "shop_ref",
    "terms": "terms",
    "serial": "serial_number",
    "next update": "next_update",
}
# One field of one RO: "set ETA of RO 38462 to 12/15", "set RO 38462 cost to 1500",
# "update 38462's ETA to 12/20".
_SET = r"(?:please\s+)?(?:set|change|update)\s+"
_RO = r"(?:ro\s*#?\s*)?g?(?P<ro>\d{3,9})"
_FIELD = rf"(?P<field>{'|'.join(FIELDS)})"
FIELD_CHANGES = (
    rf"{_SET}(?:the\s+)?{_FIELD}\s+(?:of|for|on)\s+{_RO}\s+to\s+(?P<value>.+)$",
    rf"{_SET}{_RO}(?:'s)?\s+{_FIELD}\s+to\s+(?P<value>.+)$",
)
DATE_FIELDS = {"estimated_delivery", "next_update"}
# "mark 38462 shipped with tracking 1Z999": the tracking number said with a status
TRACKING_SAID = re.compile(
    r"\s*[,;]?\s*(?:with|and|,)\s+(?:the\s+|a\s+)?tracking(?:\s+(?:number|no\.?|#))?\s*"
    r"(?:is\s+|of\s+)?[:#]?\s*([a-z0-9][\w\-]{3,})\s*[.!]?$",
    re.I,
)
# "cancel RO 38462", "scrap 38462": the verb is the status
STATUS_VERBS = {"cancel": "CANCELLED", "scrap": "SCRAP"}
ARCHIVES = {
    "active": "ACTIVE",
    "net": "NET",
    "paid": "PAID",
    "returns": "RETURNS",
    "returned": "RETURNS",
    "return": "RETURNS",
    "all": "ALL",
}


def _call(tool: str, **args: Any) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args={k: v for k, v in args.items() if v is not None})


def plan(text: str, today: date | None = None) -> ToolCallPart | str:
    """The tool call for a request, or the text to answer when there is none."""
    return understand(text, today or date.today())[1]


# How a question says "in stock"; with the bare words, what marks a question as about stock.
ON_HAND = r"in\s+stock|on\s+hand|in\s+(?:the\s+)?(?:stock\s*room|inventory)"
STOCK_WORDS = rf"{ON_HAND}|\bstock\b|\binventory\b"


def _stock_words(query: str) -> str:
    """The part or words asked about, without the question's own words about stock: "do we have
    MS24567-12 in stock" searches MS24567-12, "search stock for NAS1026C1816" NAS1026C1816."""
    query = re.sub(r"^(?:stock|inventory)\s+(?:for\s+|of\s+)?", "", query, flags=re.I)
    return re.sub(
        rf"\s+(?:{ON_HAND}|available|stored|kept|located|shelved)(?:\s+(?:now|today))?$",
        "",
        query,
        flags=re.I,
    ).strip()


# "set it to received", "archive this RO", "its history": an RO said before (in the sentence,
# or the one the previous turn was about: agent/offline/model.py).
REFERS_TO_AN_RO = re.compile(
    r"\b(?:(?:this|that|the same)\s+(?:ro|repair order|one)|its|it)\b", re.IGNORECASE
)


# "what's in stock for RO 38462", "is the part for RO 38462 on hand?": the RO is looked up, then
# stock for its part number (agent/offline/model.py)
_AN_RO = r"\b(?:ro|repair order)\s*#?\s*g?(\d{3,9})\b"  # said to be an RO, not a bare number
STOCK_FOR_AN_RO = re.compile(
    rf"(?:{STOCK_WORDS}).*{_AN_RO}|{_AN_RO}.*(?:{STOCK_WORDS})",
    re.IGNORECASE,
)


# "add a note to 38462: shop called", "note on RO 38462 - waiting on seal kit": the RO is looked
# up, then its notes with this line added are proposed (agent/offline/model.py)
NOTE_ADDED = re.compile(
    r"^(?:please\s+)?(?:(?:add|append|put|log|leave|write)\s+(?:a\s+|this\s+)?note\s+"
    r"(?:to|on|for|in)|add\s+to\s+(?:the\s+)?notes\s+(?:of|on|for)|note\s+(?:on|for|to))\s+"
    r"(?:ro\s*#?\s*)?g?(\d{3,9})\s*(?:[:,;]|-|–|saying|that says|that)\s*[\"'“]?(.+?)[\"'”]?$",
    re.IGNORECASE | re.DOTALL,
)


# "draft a follow-up for the most overdue RO", "open the oldest overdue one": the open RO whose
# follow-up fell due longest ago; found first, then acted on (agent/offline/model.py)
MOST_OVERDUE = re.compile(
    r"\bthe (?:oldest|most|longest|worst|latest|most late) (?:overdue|late|past due) "
    r"(?:ro|repair order|one)\b|\bthe (?:ro|repair order|one) (?:that is|that's|most) "
    r"(?:most )?overdue\b",
    re.IGNORECASE,
)
# What is then done with it: a follow-up drafted, or its card opened.
DRAFT_WORDS = re.compile(r"\b(?:draft|e-?mail|chase|follow[- ]?up|nudge|write)\b", re.I)
OPEN_WORDS = re.compile(r"\b(?:open|show|pull up|look up|details|history|card)\b", re.I)
_VERB_WORDS = """draft email e-mail chase follow-up follow up nudge write open show pull look
    details history card shop about"""
VERB_WORDS = frozenset(_VERB_WORDS.split())


def most_overdue(raw: str, today: date) -> tuple[str | None, ToolCallPart]:
    """The search for the most overdue RO, with the request's other conditions ("the most
    overdue RO at Avtech"); what it cannot read is said."""
    found = search_filters(MOST_OVERDUE.sub(" ", raw), today)
    found.leftover = [w for w in found.leftover if w not in VERB_WORDS]
    args = found.args | {"overdue": True, "sort": "next_update", "limit": 1}
    args.pop("count_by", None)
    args.pop("totals", None)
    return describe_leftover(found), _call("search_repair_orders", **args)


def understand(text: str, today: date) -> tuple[str | None, ToolCallPart | str]:
    """A request -> (a note on what was not understood, if anything; the tool call or the
    answer). Conditions it cannot read are said in the note, never silently dropped."""
    raw = " ".join(text.strip().split())
    t = raw.lower().rstrip("?.! ")
    if not t or re.fullmatch(r"help|\?|what can you do|commands|hi|hello|hey", t):
        return None, HELP
    if said := meaning(raw):  # "what does BER mean?": the desk's words, not a search
        return None, said
    # "RO 38010, set it to received": the RO named first is the "it" of what follows — when
    # what follows is then about that RO ("RO 38010, find a starter, is it in stock?" is not)
    if (m := re.match(rf"{NUMBER}\s*[,:;]\s*(.+)$", raw, re.I)) and REFERS_TO_AN_RO.search(m[2]):
        note, call = understand(REFERS_TO_AN_RO.sub(f"RO {m[1]}", m[2], count=1), today)
        if isinstance(call, ToolCallPart) and call.args_as_dict().get("ro_number") == m[1]:
            return note, call
    if m := NOTE_ADDED.match(raw):  # the note may hold any words: before every other rule
        return None, _call("get_repair_order", ro_number=m[1])
    # before the email and status rules: a new RO's notes or a shop's email can hold any words
    if (call := new_repair_order(raw, t, today)) or (call := new_shop(raw, t)):
        return None, call
    if MOST_OVERDUE.search(t):
        return most_overdue(raw, today)
    if call := users(raw):  # admins: "users", "disable sam@example.com" (before the e-mail words)
        return None, call
    if replied := reply_request(raw, t):  # shops' replies, an RO's thread (before the e-mail words)
        return replied
    if re.search(r"\b(e-?mail history|sent (?:e-?)?mails?|e-?mails? sent|mail history)\b", t):
        number = re.search(rf"\b{NUMBER}\b", t)
        return None, _call("email_history", ro_number=number[1] if number else None)
    if call := follow_ups(t):
        return None, call
    if call := shops(raw, t):
        return None, call
    if t in ARCHIVES and t != "all":  # "returns", "net": that archive
        return None, _call("search_repair_orders", archive=ARCHIVES[t])
    if re.search(r"\b(drafts?|e-?mails?|chase)\b", t) and not re.match(
        r"(?:set|change|update)\b", t
    ):
        if number := re.search(rf"\b{NUMBER}\b", t):
            return None, _call("draft_email", ro_number=number[1])
        if re.search(r"\bdrafts\b|\bpending draft", t):
            return None, _call("list_email_drafts")
        if not re.search(r"\b(?:shop|vendor)\b|'s e-?mail", t):
            return None, (
                "Which RO should I draft the email for? e.g. **draft a follow-up for RO 38462**."
            )
    if ("pending" in t and re.search(r"approv|confirm", t)) or re.search(
        r"\bwaiting (?:on|for) (?:me|(?:an? |my )?(?:approval|confirmation|confirm))\b", t
    ):
        return None, _call("pending_approvals")
    if re.search(r"\b(dashboard|stats|statistics|summary|overview|figures)\b", t):
        return None, _call("dashboard")
    if low := low_stock_request(t):
        return low
    if re.search(EXPORT_THAT, t):  # the model answers it from the conversation
        return None, "Export what? Ask for a list or a report first, then say **export that**."
    if call := export(t, today):
        return None, call
    if asked := report(t, today):
        return asked
    if re.search(r"\berp(?:\.aero)?\b", t):  # the outside source of ROs (admins)
        asks = re.search(r"\b(status|last|when|did|problems?|how|failed|errors?)\b", t)
        if not asks and re.search(r"\b(sync|pull|refresh|import|run)\b", t):
            return None, _call("sync_erp")
        return None, _call("erp_sync_status")
    if re.search(r"\b(sync|excel|workbook|spreadsheet)\b", t):
        if re.search(r"\b(status|up to date|behind|how many)\b", t):
            return None, _call("excel_status")
        return None, _call("sync_excel", full=not re.search(r"\b(waiting|changes|now)\b", t))
    for pattern in FIELD_CHANGES:
        if m := re.match(pattern, raw, re.I):
            field, value = FIELDS[m["field"].lower()], m["value"].strip()
            # "next friday", "in 2 weeks", "tomorrow": the date, which the preview shows
            if field in DATE_FIELDS and (when := day(value.rstrip(".!"), today)):
                if when < today - timedelta(days=60) and not re.search(r"\d{4}|/\d+/", value):
                    when = _next_year(when)  # "1/5" said in December: January
                value = when.isoformat()
            return None, _call("update_repair_order", ro_number=m["ro"], changes={field: value})
    if call := bulk(raw, t, today):
        return None, call
    if call := _one_status_change(raw):
        return None, call
    if m := re.match(
        rf"(?:please\s+)?(?:archive|move)\s+{NUMBER}(?:\s+(?:to|in|into)\s+"
        rf"(?:the\s+)?(\w+))?",
        raw,
        re.I,
    ):
        target = _archive_named(m[2] or "")
        if m[2] and target is None:
            return None, f'"{m[2]}" is not an archive. Use Active, Net, Paid or Returns.'
        return None, _call("archive_repair_order", ro_number=m[1], archive=target)
    if m := re.match(
        rf"(?:please\s+)?use\s+(?:one\s+|a\s+)?(?:part\s+)?(.+?)\s+(?:on|for)\s+{NUMBER}$",
        raw.rstrip("?.! "),
        re.I,
    ):
        return None, _call("use_part", part_number=m[1].strip(), ro_number=m[2])
    if re.match(r"(?:please\s+)?use\s+(?:one\s+|a\s+)?part\b", raw, re.I):
        # no RO number after it: the part's own digits are not one
        return None, "Which RO is the part for? e.g. **use part 066-50008 on RO 38462**."
    # "how many parts did we use this week?": no tool lists what was taken from stock when
    if re.search(STOCK_TAKEN, t) and not re.search(rf"\b{NUMBER}\b", t):
        return None, (
            "I can't list what was taken from stock over a period. **low stock** shows each low "
            "part's use over the last 90 days; to take a part for an RO, say **use part "
            "066-50008 on RO 38462**."
        )
    # "do we have the part of RO 38462 on hand?": that RO first (then its part's stock)
    if m := STOCK_FOR_AN_RO.search(t):
        return None, _call("get_repair_order", ro_number=m[1] or m[2])
    # "what is in stock for 066-50008?": that part's stock, not RO 066
    if m := re.search(
        r"\b(?:in|on) (?:stock|hand) (?:for|of) (?:part |p/?n )?#?(?!ros?\b)([a-z0-9][\w\-./]*)", t
    ):
        return None, _call("search_inventory", query=m[1].upper(), limit=10)
    # "any part numbers starting with 066?": stock lines (ROs are asked for as ROs: "ROs for
    # part 066"), not RO 066
    if (m := re.search(PARTS_STARTING, t)) and not re.search(r"\b(?:ros?|repair orders?)\b", t):
        note = (
            f"These are stock lines whose part number starts with {m[1].upper()}; for repair "
            f"orders ask **ROs for part {m[1].upper()}**.\n\n"
        )
        return note, _call("search_inventory", query=m[1].upper(), limit=10)
    # "how many do we have in stock of 066-50008?", "how much 066-50008 is on hand": stock,
    # not RO 066
    if (m := re.match(r"(?:please\s+)?how (?:much|many)\s+(.+)$", raw.rstrip("?.! "), re.I)) and (
        re.search(ON_HAND, m[1], re.I)
    ):
        asked = re.sub(
            rf"\b(?:(?:do|did|have|does) (?:we|you|i) (?:have|got)|(?:are|is) there|"
            rf"(?:do|does) it show|{ON_HAND}|of|are|is|we have|left|available|part|p/?n)\b",
            " ",
            m[1],
            flags=re.I,
        )
        if query := " ".join(asked.split()):
            return None, _call("search_inventory", query=query, limit=10)
    # "how many starters do we have (left)": stock of that word (one starter, many starters)
    counted = re.fullmatch(
        r"how many ([a-z][a-z\- ]*?) (?:do|have) we (?:have|got)(?: left| in stock| on hand)?", t
    )
    if counted and not re.search(r"\b(?:ros?|repair orders?|orders|shops?|vendors?)\b", counted[1]):
        words = [re.sub(r"(?<=[a-z]{3})s$", "", w) for w in counted[1].split()]
        return None, _call("search_inventory", query=" ".join(words), limit=10)
    if m := re.match(
        r"(?:please\s+)?(?:find|search(?: for)?|look ?up|do we have|stock of|"
        r"where is|where are)\s+(?:an?\s+|any\s+)?(?:part\s+)(.+)$|"
        r"(?:please\s+)?(?:do we have|stock of|any stock of)\s+(?:an?\s+|any\s+)?(.+)$|"
        r"(?:please\s+)?(?:find|search(?: for)?|look ?up)\s+(?:an?\s+|any\s+)?"
        r"(?!ros?\b|repair|orders?\b|everything|all\b)(.+)$",
        raw,
        re.I,
    ):
        query = re.sub(
            r"^(?:p/?n|part|number|no\.?)\s*#?\s*",
            "",
            (m[1] or m[2] or m[3]).strip(" ?"),
            flags=re.I,
        )
        query = _stock_words(query)
        # "find 38462" is an RO; a number said to be a part, or asked about as stock, is a part
        about_stock = m[1] or m[2] or re.search(STOCK_WORDS, t)
        ros = re.match(r"(?:ro\b|ros\b|repair orders?\b)", query, re.I)
        if query and not ros and (about_stock or not re.fullmatch(rf"{NUMBER}", query, re.I)):
            return None, _call("search_inventory", query=query, limit=10)
    if m := re.fullmatch(rf"(?:is |are |any )?(?:part |p/?n ?)?#?(\S+) (?:{STOCK_WORDS})", t):
        return None, _call("search_inventory", query=m[1].upper(), limit=10)
    single = re.fullmatch(
        rf"(?:(?:show|get|look up|find|open|pull up|what'?s|what is|where is|status of|"
        rf"the status of|history of|show me)\s+)*(?:the\s+)?(?:status of\s+|history of\s+)?"
        rf"{NUMBER}(?:'s)?(?:\s+(?:history|status|details|please))?",
        t,
    )
    if single:
        return None, _call("get_repair_order", ro_number=single[1])
    # "anything happen on 38301 since Monday?": one RO's changes in a period (the answer picks
    # them out of its history), not a list of ROs made since then
    if re.search(CHANGES_ASKED, t) and (period := re.search(rf"\b(?:{SPAN})(?=\W|$)", t)):
        rest = t[: period.start()] + " " + t[period.end() :]
        named = re.findall(rf"(?<![$\d.,/-])\b{NUMBER}\b(?![/-]\d)", rest)
        if len(named) == 1:
            return None, _call("get_repair_order", ro_number=named[0])
    if asked := feed_request(raw, today):  # "what changed yesterday?": the desk's changes
        return asked
    found = search_filters(raw, today)
    # "RO 38010" names one RO: its "RO" does not ask for a list ("is RO 38010 overdue?")
    listing = re.search(
        r"\b(?:ros?|repair orders?|orders|which|list|show|anything|everything|what'?s)\b",
        re.sub(RO_NAMED, " ", t),
    )
    if negated := _negated(t, found):
        return None, negated
    if (found.args and not found.leftover) or (listing and (found.args or not found.leftover)):
        return describe_leftover(found), _call("search_repair_orders", **found.args)
    # "ROs over 10000": a number compared is no RO number, and without "$" no sure cost either
    if m := re.search(COMPARED_NUMBER, t):
        return None, (
            f"Is “{m[0]}” a cost or an RO number? For costs ask **ROs {m[1]} ${int(m[2]):,}**; "
            f"for one RO, **RO {m[2]}**."
        )
    # a number that is money ("ROs over $10000", "5000 dollars") is no RO number
    if m := re.search(rf"(?<![$\d.,])\b{NUMBER}\b(?!\s*(?:dollars|usd|k\b)|[.,]\d)", t):
        return None, _call("get_repair_order", ro_number=m[1])
    if found.leftover:  # say what could not be honoured, not only what could
        unread = " ".join(found.leftover)
        return None, f"I'm not sure what you need: I could not make out “{unread}”. " + HELP
    return None, "I'm not sure what you need. " + HELP


STOCK_TAKEN = (
    r"\b(?:how many|how much|what|which)\b.*\b(?:parts?|stock|units?|items?)\b.*"
    r"\b(?:used|use|taken|took|pulled)\b(?!\s+(?:on|for)\b)"
)
PARTS_STARTING = (
    r"\b(?:part(?:s|\s+numbers?)|p/?ns?)\s+(?:that\s+|which\s+)?(?:start|begin)\w*\s+"
    r"(?:with\s+)?#?([a-z0-9][\w\-./]*)"
)
COMPARED_NUMBER = (
    r"(?<![$\w])(over|above|under|below|more than|less than|greater than|at least)\s+"
    r"g?(\d{3,9})\b(?!\s*(?:dollars|usd|k\b|days?|weeks?|months?|years?)|[.,]\d)"
)
OUT_OF_STOCK = r"\bout of stock\b|\bnone left\b"  # a total of 0 (or below): under 1
LOW_STOCK = rf"\blow[- ]stock\b|\breorder\w*|\brunning low\b|\blow on\b|{OUT_OF_STOCK}"
# Words that ask for the low-stock list and say nothing more.
LOW_STOCK_FILLER = (
    r"\b(?:what|what'?s|which|show|me|list|the|any|all|parts?|items?|are|is|we|do|does|on|of|"
    r"in|stock|inventory|needs?|to|be|should|i|us|our|please|that|there|anything|get|give|"
    r"running|low|total|now|currently|today)\b"
)


def low_stock_request(t: str) -> tuple[str | None, ToolCallPart] | None:
    """ "low stock", "what needs reordering", "parts under 3" — the low-stock list, its
    threshold if one is said; a condition it cannot apply (a bin, a shop) is said, not dropped."""
    if not re.search(LOW_STOCK, t):
        return None
    args = {}
    if re.search(OUT_OF_STOCK, t):
        args["threshold"] = 1
    if m := re.search(r"\b(?:under|below|less than|fewer than)\s+(\d+)\b", t):
        args["threshold"] = int(m[1])
        t = t.replace(m[0], " ")
    rest = words_of(re.sub(rf"{LOW_STOCK}|{LOW_STOCK_FILLER}", " ", t))
    rest = [w for w in rest if w != "'s"]  # "what's out of stock"
    return describe_leftover(Found(leftover=rest)), _call("low_stock", **args)


def _one_status_change(raw: str) -> ToolCallPart | None:
    raw = TRACKING_SAID.sub("", raw)  # the tracking number is its own change (model.py)
    if m := re.match(rf"(?:please\s+)?(cancel|scrap)\s+(?:the\s+)?{NUMBER}$", raw, re.I):
        return _call("update_status", ro_number=m[2], new_status=STATUS_VERBS[m[1].lower()])
    status_change = re.match(
        rf"(?:please\s+)?(?:set|mark|change|move|update)\s+(?:the\s+)?"
        rf"(?:status\s+of\s+)?{NUMBER}\s+(?:status\s+)?(?:(?:to|as)\s+)?(.+)$",
        raw,
        re.I,
    )
    if (
        (m := status_change)
        and _archive_named(m[2]) is None
        and (try_parse_status(m[2]) or re.search(r"\b(?:to|as)\s+", raw[: m.start(2)], re.I))
    ):
        return _call("update_status", ro_number=m[1], new_status=m[2].strip())
    if (m := re.match(rf"{NUMBER}\s+is\s+(?:now\s+)?(.+)$", raw, re.I)) and try_parse_status(m[2]):
        return _call("update_status", ro_number=m[1], new_status=m[2].strip())
    return None


# A "not" no rule read ("open ROs not at Avtech", "not overdue"): the filter after it would list
# the opposite of what was asked
_NEGATION_WORDS = (
    "not except excluding besides nor isn't aren't wasn't weren't haven't hasn't hadn't "
    "don't doesn't didn't isnt arent havent hasnt dont doesnt didnt"
)
NEGATIONS = frozenset(_NEGATION_WORDS.split())


def _negated(t: str, found: Found) -> str | None:
    """Refuse a search whose "not" was left unread, rather than list its opposite."""
    if not NEGATIONS.intersection(found.leftover):
        return None
    words = words_of(t)  # as the leftover was counted ("not," is the word "not")
    at = next(i for i, w in enumerate(words) if w in NEGATIONS)
    said = " ".join(words[at : at + 4])
    return (
        f"I can't search for ROs that are *not* something (“{said}”): the search would list "
        "the opposite, so I listed nothing. Ask for what they are instead — e.g. **open ROs "
        "by status** or **open ROs by shop** counts them all, and **not received**, **not "
        "paid** or **not updated in 30 days** I do understand."
    )


def _next_year(when: date) -> date:
    """The same day a year on (Feb 29 becomes Feb 28)."""
    return when.replace(year=when.year + 1, day=min(when.day, 28 if when.month == 2 else 31))


def _archive_named(text: str) -> str | None:
    """ "paid", "the Paid archive", "net tab": the archive named, else None."""
    m = re.fullmatch(r"(?:the\s+)?(\w+)(?:\s+(?:archive|sheet|tab))?", text.strip(), re.I)
    return ARCHIVES.get(m[1].lower()) if m else None


def _status_in(text: str) -> str | None:
    words = re.sub(r"\b(ros?|repair orders?|which|are|is|list|show|all|me|the)\b", " ", text)
    words = " ".join(words.split())
    found = try_parse_status(words) if words else None
    return found.value if found else None
