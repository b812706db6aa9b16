"""The conditions in a desk request — "waiting quote at Avtech for more than 2 weeks", "ETA passed",
"for part 1706B", "made last month" — as `search_repair_orders` arguments, and what was left
over: words that matched no condition are reported, never silently dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from agent.offline.dates import DATE, MONTH, span
from domain.overdue import BACK_OR_DONE
from domain.statuses import ALIASES, Status

# Words that carry no condition of their own.
_FILLER_WORDS = """a an the all any every our my me us we i you please show list give get find
    pull up
    display see tell what what's whats which who where are is was were be been do does have has
    had did there ros ro ro's repair repairs order orders ones one that those these them it items
    units
    with of for in on by to and or from at about current currently still now right just only
    can could would you'd like want need let know how many number count total open active
    how's let's here anything something but stuck sitting
    work"""
FILLER = frozenset(_FILLER_WORDS.split())
# Statuses of an RO whose part is not back yet (not received, not ended).
NOT_BACK = ", ".join(s.value for s in Status if s not in BACK_OR_DONE)
# ... and not shipped back either ("haven't shipped yet")
NOT_SHIPPED_BACK = ", ".join(
    s.value for s in Status if s not in BACK_OR_DONE and s is not Status.SHIPPED
)
SERIAL = (
    r"\b(?:serial|s/?n|sn)\b\s*(?:number\b|no\.?|#)?\s*[:#]?\s*((?=[\w\-./]*\d)[a-z0-9][\w\-./]*)"
)
# Legacy spellings that are also everyday words ("takes longest to return parts", "which are
# done", "is anything pending"): a status filter comes only from a word that names a status and
# nothing else, so these are not read as one in a question. (A status change still takes them:
# "mark 38462 returned" names its status outright.)
EVERYDAY_ALIASES = frozenset(
    {"return", "returned", "done", "working", "pending", "quote", "hold", "cancel", "delivered",
     "packed"}
)  # fmt: skip
STATUS_WORDS = sorted(
    [s.value.lower() for s in Status]
    + [a.lower() for a in ALIASES if a.lower() not in EVERYDAY_ALIASES]
    + [
        "waiting on a quote",
        "awaiting a quote",
        "waiting for a quote",
        "quote pending",
        "pending quote",
        "being shipped",
        "on its way back",
    ],
    key=len,
    reverse=True,
)
# Any status word, as a word (the longest first: "waiting quote" before "quote")
STATUS_SAID = r"\b(?:" + "|".join(re.escape(w) for w in STATUS_WORDS) + r")\b"
STATUS_OF = (
    {s.value.lower(): s.value for s in Status}
    | {a.lower(): s.value for a, s in ALIASES.items()}
    | {
        "waiting on a quote": "WAITING QUOTE",
        "awaiting a quote": "WAITING QUOTE",
        "waiting for a quote": "WAITING QUOTE",
        "quote pending": "WAITING QUOTE",
        "pending quote": "WAITING QUOTE",
        "being shipped": "SHIPPED",
        "on its way back": "SHIPPED",
    }
)
# Words people mistype, put right before reading (only these: a guess must stay obvious).
TYPOS = {
    "wating": "waiting",
    "wiating": "waiting",
    "qoute": "quote",
    "quoet": "quote",
    "recieved": "received",
    "recived": "received",
    "shiped": "shipped",
    "aproved": "approved",
    "approvd": "approved",
    "overdeu": "overdue",
    "ovedue": "overdue",
    "overdure": "overdue",
    "repiar": "repair",
    "serail": "serial",
    "archve": "archive",
}
# "part 1706B", "p/n 066-50008", "part no. 066 50008": the keyword as a whole word, and a value
# with a digit in it — so "parts on average" is no part filter "S", nor "part of it" one "OF".
PART = (  # "part 066-50008", "part numbers starting with 066" (a part number is a prefix)
    r"\b(?:parts?|p/?ns?|pns?)\b\s*(?:numbers?\b|no\.?|#)?\s*"
    r"(?:(?:that\s+|which\s+)?(?:start|begin)\w*\s+(?:with\s+)?)?[:#]?\s*"
    r"((?=[\w\-./]*\d)[a-z0-9][\w\-./]*(?: \d[\w\-./]*)*)"
)
ARCHIVE_OF = {"active": "ACTIVE", "net": "NET", "paid": "PAID", "returns": "RETURNS"}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve"
COUNT_WORDS = {word: n for n, word in enumerate(NUMBER_WORDS.split(), start=1)}
COUNT = r"\d+|an?|" + "|".join(COUNT_WORDS)
# "at the shops", "with any vendor": no shop in particular
ANY_SHOP = r"(?:(?:the|all|any|every|each|our|of our|all the|all our) )?(?:shops?|vendors?)"
# Where a free-text value (a shop name) stops.
STOP = (
    r"(?=\s+(?:for|with|that|which|where|waiting|older|since|before|after|made|created|"
    r"opened|from|to|in|on|by|eta|due|over|more|overdue|late|sorted|whose|status|sn|s/n|"
    r"serial|part|p/n|pn|updated|next|between|this|last|past|and|"
    r"is|are|was|were|has|have|had|still|currently|now|right now|at the moment|not|no|"
    r"except|excluding|besides|but)\b|"
    r"[?.!,;]|$)"
)
# "what changed", "anything happen", "its history": a question about an RO's changes
CHANGES_ASKED = r"\b(?:chang\w*|happen\w*|histor\w*|updat\w*|activity|edit\w*|done)\b"
RO_NAMED = r"\bro\s*#?\s*g?\d{3,9}\b"  # "RO 38462", "ro# G38462": one RO by its number
NOW = (
    r"\b(?:right now|currently|at the moment|at present|now|"
    r"out (?:for (?:repair|overhaul)|at (?:the |a )?(?:shops?|vendors?)))\b"
)
SPAN = (
    rf"(?:(?:from |between )?{DATE} (?:to|and|through|until|-) {DATE}"
    rf"|(?:before|until|by|through|after|since|from|on) {DATE}"
    rf"|this (?:week|month|year)|last (?:week|month|year)|next week"
    rf"|(?:the )?(?:last|past|next) \d+ (?:days?|weeks?|months?)"
    rf"|(?:in )?q[1-4](?: \d{{4}})?|(?:in )?(?:{MONTH})(?: \d{{4}})?|{DATE})"
)
# "updated in the last 30 days", "due within the next week": the words before such a period
WITHIN = r"(?:(?:in|during|within)\s+(?:the\s+)?(?=(?:last|past|next)\b))?"
DATE_FIELDS = [
    (r"(?:made|created|opened|raised)", "date_made"),
    (
        r"(?:dropped off|sent out|send out|went out|sent to (?:the |a )?(?:shops?|vendors?))",
        "dropped_off",
    ),
    (r"(?:eta|due back|due|arriving|expected(?: back)?|estimated delivery)", "eta"),
    (r"(?:next update|follow[- ]?up(?: date)?|to chase|needs? chasing|chase)", "next_update"),
    (r"(?:last updated|updated|touched)", "last_updated"),
    (r"(?:status (?:changed|date)|changed status)", "status_date"),
]


# A blank field, as people name it ("no tracking number", "without an ETA") -> the search's
# `missing` name (domain/ro_query.py MISSING). Not "no quote": that is the status WAITING QUOTE.
MISSING_WORDS = {
    "tracking_number": r"tracking(?: numbers?| no\.?| #)?",
    "eta": r"etas?|estimated delivery(?: dates?)?|delivery dates?",
    "final_cost": r"final (?:costs?|prices?)",
    "estimated_cost": r"(?:estimated )?(?:costs?|prices?)|estimates?",
    "serial_number": r"serial(?: numbers?| no\.?| #)?|s/?n",
    "shop_ref": r"shop ref(?:erence)?s?(?: numbers?)?",
    "next_update": r"follow[- ]?up(?: dates?)?|next update(?: dates?)?",
}
_ANY_MISSING = "|".join(MISSING_WORDS.values())
# Blanks the desk chases the shop (or itself) for while an RO is open
CHASED = {"eta", "next_update", "tracking_number", "shop_ref", "estimated_cost"}
MISSING_SAID = (
    r"\b(?:with no|without|no|missing|lacking|(?:has|have|had) no|(?:is|are) missing|"
    r"(?:doesn't|don't|does not|do not) have)\s+(?:an?\s+|the\s+|their\s+|its\s+)?"
    rf"((?:{_ANY_MISSING})(?:\s*(?:,|or|and|nor|,\s*or|,\s*and)\s+(?:an?\s+|the\s+)?"
    rf"(?:{_ANY_MISSING}))*)\b(?:\s+(?:yet|so far)\b)?"  # "no ETA yet" is "no ETA"
)


def _missing_names(said: str) -> list[str]:
    """ "tracking number or eta" -> ["tracking_number", "eta"]."""
    names = []
    for piece in re.split(r"\s*(?:,|\bor\b|\band\b|\bnor\b)\s*", said):
        piece = re.sub(r"^(?:an?|the)\s+", "", piece.strip())
        names += [n for n, p in MISSING_WORDS.items() if piece and re.fullmatch(p, piece)][:1]
    return names


@dataclass
class Found:
    args: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # conditions understood but not usable
    leftover: list[str] = field(default_factory=list)  # words that matched nothing


# An amount of money: "10,000", "5k", "1250.50" (its digits, "k" for thousands)
AMOUNT = r"(\d[\d,]*(?:\.\d+)?)\s?(k\b)?"
COST_SAID = r"(?:(?:final |estimated |repair )?costs?|costing|worth|valued at|priced at|estimates?)"
OVER_MONEY = r"(?:over|more than|above|greater than|>|at least|exceeding)"
UNDER_MONEY = r"(?:under|less than|below|<|at most|cheaper than)"
# What an RO has or is asked about, never a shop's name: "ROs with margins" is not shop MARGINS.
_NOT_A_SHOP_WORDS = (
    "margin margins profit profits photo photos picture pictures image images quote quotes "
    "quotation quotations note notes comment comments doc docs document documents paperwork "
    "cert certs certificate certificates attachment attachments file files email emails mail "
    "reply replies message messages invoice invoices price prices tracking eta etas cost costs "
    "serial serials warranty core cores damage problems issues"
)
NOT_A_SHOP = frozenset(_NOT_A_SHOP_WORDS.split())
# "at the shop", "with the vendor": where the unit is, not a shop's name
AT_A_SHOP = r"(?:at|with|in)\s+(?:the\s+|a\s+)?(?:repair\s+)?(?:shops?|vendors?)"


# a sort as people say it -> the search's sort (oldest first unless said otherwise)
SORT_SAID = {
    "eta": "eta",
    "next update": "next_update",
    "follow-up date": "next_update",
    "days overdue": "next_update",  # the oldest follow-up date is the most overdue
    "most overdue": "next_update",
    "status date": "status_date",
    "days in status": "status_date",
    "time in status": "status_date",
    "date made": "date_made",
    "drop-off date": "dropped_off",
    "days at the shop": "dropped_off",
    "ro number": "ro_number",
    "cost": "-cost",  # "sorted by cost": the most expensive first
    "ro": "ro_number",
}


def _take(text: str, pattern: str, flags: int = re.I) -> tuple[re.Match[str] | None, str]:
    """The first match of `pattern`, and the text with it blanked out."""
    m = re.search(pattern, text, flags)
    if not m:
        return None, text
    return m, _blank(text, m)


def _blank(text: str, m: re.Match[str]) -> str:
    """`text` with what `m` matched blanked out (the positions of the rest kept)."""
    return text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]


def _days(count: str, unit: str) -> int:
    """ "30", "day" -> 30; "two", "weeks" -> 14; "a", "month" -> 30."""
    return (int(count) if count.isdigit() else COUNT_WORDS.get(count.lower(), 1)) * UNIT_DAYS[unit]


def _put_period(args: dict[str, Any], name: str, period: tuple[date | None, date | None]) -> None:
    """A period's ends as `{name}_from` / `{name}_to` (an open end is left out)."""
    if period[0]:
        args[f"{name}_from"] = period[0].isoformat()
    if period[1]:
        args[f"{name}_to"] = period[1].isoformat()


COUNTS_ASKED = (
    r"\b(?:which|what|the) (shop|vendor|status|part)(?:e?s)? (?:has|have|holds?|is holding|with) "
    r"(?:got )?"
    r"(?:the )?(?:most|fewest|least)\b|"
    r"\bwho(?:'s| has| have| holds?| is holding)(?: got)? (?:the )?(?:most|fewest|least)\b|"
    r"(?<!sorted )(?<!ordered )(?<!sort )\b(?:by|per|for each|each|grouped by|"
    r"broken down by) (shop|vendor|status)\b(?! date)"  # not "sorted by status date"
)


# "which part do we send out most?", "most repaired parts", "overdue ROs by part": per part
PARTS_COUNTED = (
    r"\b(?:which|what) parts? (?:(?:do|did) we |gets? |goes? |went |comes? |came |is |are )?"
    r"(?:(?:send|sent|repair|repaired|go|goes|went|come|comes|came|fail|fails|failed)\w* )?"
    r"(?:(?:out|back|in|for repair) )?(?:the )?most\b|"
    r"\bmost (?:often )?(?:repaired|common|frequent|sent(?: out)?) parts?\b|"
    r"(?<!sorted )(?<!sort )\b(?:by|per|for each|grouped by|broken down by) part(?: number)?\b"
)


TOTALS_ASKED = (
    r"\b(?:(?:the )?total (?:value|cost|costs|worth|amount)(?: of)?|"
    r"(?:the |their |its )?(?:dollar )?value(?: of)?|worth|"
    r"how much(?: money)?(?: is| are| do we have)?(?: tied up)?(?: in)?)\b"
)


FEWEST_ASKED = (
    r"\b(?:fewest|least)\b"  # "which shop has the fewest open ROs": the tail of the counts
)


def search_filters(raw: str, today: date) -> Found:
    found = Found()
    words = raw.lower().replace("’", "'").split()
    t = " " + " ".join(TYPOS.get(w, w) for w in words) + " "
    args = found.args
    # "which shop has the most overdue ROs?", "waiting quote ROs by shop", "open ROs per status":
    # every match counted per shop (or status), not a page of them
    m, t = _take(t, COUNTS_ASKED)
    if m:
        said = m[1] or m[2] or ""  # "who": a shop
        args["count_by"] = "status" if "status" in said else "part" if "part" in said else "shop"
    elif m := _take(t, PARTS_COUNTED)[0]:  # "which part do we send out most?": per part
        t = t[: m.start()] + " " + t[m.end() :]
        args["count_by"] = "part"
    # "what are the open ROs at Avtech worth?": every match's costs summed
    t, summed = re.subn(TOTALS_ASKED, " ", t)
    if summed and not re.search(RO_NAMED, t):  # one RO's value: its card
        args["totals"] = True
    # "ROs over $10,000", "costing less than 500 dollars", "final cost over 5k": the cost as
    # the totals count it (final, else the estimate), before "with final cost" is read as a shop
    for name, than in (("cost_over", OVER_MONEY), ("cost_under", UNDER_MONEY)):
        m, t = _take(
            t,
            rf"\b(?:(?:with |that |a |an )*{COST_SAID}\s+(?:is |are |of )?{than}\s*"
            rf"\$?\s?{AMOUNT}(?:\s*(?:dollars|usd)\b)?|"
            rf"{than}\s*(?:\$\s?{AMOUNT}|{AMOUNT}\s*(?:dollars|usd)\b))",
        )
        if m:
            number, thousands = next(
                (n, k) for n, k in (m.group(1, 2), m.group(3, 4), m.group(5, 6)) if n
            )
            amount = float(number.replace(",", "")) * (1000 if thousands else 1)
            args[name] = int(amount) if amount.is_integer() else amount
    # "not updated in 30 days", "no update for 2 weeks": last touched before then (not "in 30
    # days" from now, which the date words below would read)
    m, t = _take(t, r"\b(?:not (?:been )?(?:updated|touched|changed)|no updates?|untouched)\s+"
                    r"(?:in|for|since)\s+(?:(?:the )?(?:last|past)\s+)?"
                    rf"({COUNT})\s*(day|week|month)s?\b")  # fmt: skip
    if m:
        args["last_updated_to"] = (today - timedelta(days=_days(m[1], m[2]))).isoformat()
        args["archive"] = "ACTIVE"  # closed ROs are not updated; an archive said overrides this
    # "shipped with no tracking number", "ROs without an ETA or a cost": those fields blank
    while True:
        m, t = _take(t, MISSING_SAID)
        if not m:
            break
        args["missing"] = list(dict.fromkeys([*args.get("missing", []), *_missing_names(m[1])]))
    # "which ROs moved to in work this week?", "what went to received yesterday?": the verb of a
    # status change, then the status (read below, with the period as its status date)
    _, t = _take(t, r"\b(?:moved|went|gone|changed|switched|turned|set|put|got)\s+"
                    rf"(?:(?:(?:in)?to|in|on)\s+)?(?={STATUS_SAID})")  # fmt: skip
    # "ROs sent out to Avtech this month": the shop they went to, then when they went
    m = re.search(r"\b((?:sent|send|went|shipped)(?: out)?) to "
                  r"(?!(?:the |a )?(?:shops?|vendors?)\b)([a-z][\w&.' -]*?)"
                  r"(?= (?:this|last|in|during|on|since|from|between|q[1-4])\b)", t)  # fmt: skip
    if m:
        args["shop"] = m[2].strip(" '")
        t = t[: m.start()] + "sent out" + t[m.end() :]
    for pattern, name in DATE_FIELDS:
        m, t = _take(t, rf"\b{pattern}\s+{WITHIN}({SPAN})(?=\W|$)")
        if m:
            period = span(m[1], today)
            if period is None:
                found.notes.append(f'"{m[1]}" is not a date I understand')
                continue
            _put_period(args, name, period)
            if name == "eta" and re.search(r"back|arriv", m[0]):
                # "due back this week": not back yet (a status said outright replaces this)
                args["status"] = NOT_BACK
    # "what came back this week", "ROs returned from Avtech last month": the day the unit first
    # came back (its status history), whatever its status is now; with no period, ever
    # (not "arrived at Avtech", "returned to the shop": the unit went there)
    m, t = _take(t, r"\b(?:came|come|got|gotten|arrived) back\b|"
                    r"\b(?:arrived|returned)\b(?! as is| at\b| to\b| for\b)")  # fmt: skip
    if m:
        m, t = _take(t, rf"\b(?:in\s+)?{WITHIN}({SPAN})(?=\W|$)")
        period = span(m[1], today) if m else None
        if m and period is None:
            found.notes.append(f'"{m[1]}" is not a date I understand')
        _put_period(args, "came_back", period or (None, today))
    m, t = _take(t, r"\b(?:newest|latest|most recent)(?: first)?\b")
    if m:
        args["sort"] = "-date_made"
    m, t = _take(t, r"\boldest(?: first)?\b")  # "the oldest open RO": the list, oldest first
    if m:
        args["sort"] = "date_made"
    # "our biggest open RO", "the most expensive ROs at Avtech": by cost as the totals count it
    m, t = _take(t, r"\b(?:biggest|largest|most expensive|costliest|priciest|highest[- ]cost|"
                    r"(?:cheapest|least expensive|lowest[- ]cost))(?: first)?\b")  # fmt: skip
    if m:
        args["sort"] = "cost" if re.search(r"cheap|least|lowest", m[0]) else "-cost"
    m, t = _take(t, rf"\b(?:sorted|ordered|sort) by (?:the )?({'|'.join(SORT_SAID)})\b")
    if m:
        args["sort"] = SORT_SAID[m[1]]

    m, t = _take(t, r"\b(?:eta (?:has |have )?(?:passed|gone by|missed|slipped|slid)|"
                    r"past (?:their |the )?eta|late against (?:their |the )?eta|"
                    r"missed (?:their |the )?eta)\b")  # fmt: skip
    if m:
        args["eta_passed"] = True
    # "overdue by more than 30 days": the follow-up date that long ago (not the time in a status)
    m, t = _take(t, r"\b(?:overdue|past due|late)\s+(?:by\s+)?(more than|over|longer than|at least)"
                    rf"\s+({COUNT})\s*(day|week|month)s?\b")  # fmt: skip
    if m:
        days = _days(m[2], m[3]) + (0 if m[1] == "at least" else 1)
        args["overdue"] = True
        args["next_update_to"] = (today - timedelta(days=days)).isoformat()
    # every such word, not the first: "overdue at the shops with the most late work"
    while True:
        m, t = _take(t, r"\b(?:overdue|past due|late|behind|need(?:s|ing)? (?:a )?chas(?:e|ing))\b")
        if not m:
            break
        args["overdue"] = True
    m, t = _take(t, r"\b(?:ros?|numbers?)?\s*(?:from|between)\s+g?(\d{3,9})\s*"
                    r"(?:to|and|-|through|thru)\s*g?(\d{3,9})\b")  # fmt: skip
    if not m:  # "ROs 38000 to 38100", "ROs 38000-38100" ("RO 38000 and 38100" are two ROs)
        m, t = _take(t, r"\b(?:ros|repair orders|numbers)\s+g?(\d{3,9})\s*(?:to|-|through|thru)"
                        r"\s*g?(\d{3,9})\b")  # fmt: skip
    if m:
        args["ro_from"], args["ro_to"] = m[1], m[2]
    m, t = _take(t, PART)
    if m:
        args["part_number"] = m[1].upper()
    m, t = _take(t, SERIAL)
    if m:
        args["serial_number"] = m[1].upper()
    # "ROs at the shop over 60 days", "been with the vendor for more than 8 weeks", "over 30
    # days at the shop": since drop-off, while the unit is there (not "at Avtech": a shop's name)
    longer = (
        rf"(?:for\s+)?(?:more than|over|longer than|>|at least)\s*({COUNT})\s*(day|week|month)s?"
    )
    there = rf"(?:been |sitting |sat )?{AT_A_SHOP}"
    m, t = _take(t, rf"\b{there}\s+{longer}\b|\b{longer}\s+{there}\b")
    if m:
        args["at_shop_for_more_than_days"] = _days(m[1] or m[3], m[2] or m[4])
    # "which ROs have been at the shop the longest?": every unit at a shop, longest first
    m, t = _take(t, rf"\b(?:been |sitting |sat )?{AT_A_SHOP}\s+(?:the\s+)?longest\b|"
                    rf"\blongest\s+{AT_A_SHOP}")  # fmt: skip
    if m:
        args.setdefault("at_shop_for_more_than_days", 0)
        args["sort"] = "dropped_off"
    # "what's stuck in waiting quote the longest?": longest in its status first ("overdue the
    # longest": the oldest follow-up date first)
    m, t = _take(t, r"\b(?:the )?longest(?: (?:in (?:its|their|that|the) status|first))?\b")
    if m:
        args.setdefault("sort", "next_update" if args.get("overdue") else "status_date")
        t = re.sub(r"\b(?:stuck|sitting|sat|been)\b", " ", t)
    m, t = _take(t, r"\b(?:in|for|with|of|than|over)?\s*(?:more than|over|longer than|>|at least)"
                    rf"\s*({COUNT})\s*(day|week|month)s?(?: ago)?\b")  # fmt: skip
    if m:
        args["in_status_for_more_than_days"] = _days(m[1], m[2])
    # "approved ROs older than 30 days": that long in that status, as a bulk move reads it
    # (domain/bulk.py); "ROs older than 30 days", no status said: made before then
    m, t = _take(
        t, rf"\b(?:that are |which are |are )?older than\s*({COUNT})\s*(day|week|month)s?\b"
    )
    if m:
        days = _days(m[1], m[2])
        if re.search(STATUS_SAID, t):
            args["in_status_for_more_than_days"] = days
        else:
            args["date_made_to"] = (today - timedelta(days=days + 1)).isoformat()
    m, t = _take(t, rf"\b((?:since|after|before|from|between) {DATE}(?: (?:to|and) {DATE})?)\b")
    if m and (period := span(m[1], today)):
        field_name = "status_date" if any(w in t for w in STATUS_WORDS) else "date_made"
        _put_period(args, field_name, period)
    # "mentioning corrosion", "with notes mentioning corrosion", "whose notes say corrosion"
    about = (
        r"\b(?:(?:with|whose|where|having|that have|which have) (?:the |their |any )?notes? "
        r"(?:say|saying|mention|mentioning|containing|about|with)|"
        r"about|mentioning|notes? (?:say|saying|mention|containing|with)|described as)"
    )
    # "what's the status of the starter generator at Avtech", "where is our ACM": the part by
    # its words (description, work, notes); "the ROs at Avtech" names no part
    m = re.search(
        r"\b(?:status of|where is|where's|whereabouts of|how is|how's|any news on|update on) "
        r"(?:the|our|that|this) ([a-z][\w\- ]*?)(?:(?=\s+at\b)|" + STOP + ")",
        t,
    )
    if m and set(m[1].split()) - FILLER - {"status", "update"}:
        t = _blank(t, m)
        args["text"] = m[1].strip()
    m, t = _take(t, about + r"\s+(?:the |a |an )?[\"']?([a-z0-9][\w\- ]*?)[\"']?" + STOP)
    if m:
        args["text"] = m[1].strip()
    # "not received", "haven't come back yet", "not shipped yet": the part is not back (not yet
    # shipped back: before SHIPPED too); a status said outright ("approved but not shipped")
    # replaces this below
    m, t = _take(t, r"\b(?:not|(?:has|have|had|is|are|was|were)n'?t|never)\s+(?:yet\s+)?"
                    r"(?:been\s+)?(received|back|come back|came back|returned|shipped(?: back)?)"
                    r"(?:\s+yet)?\b")  # fmt: skip
    if m:
        args["status"] = NOT_SHIPPED_BACK if m[1].startswith("shipped") else NOT_BACK
    # "back but not paid", "unpaid ROs", "awaiting payment": the unit came back, the RO is not
    # paid yet (RECEIVED or COMPLETE) — never the Paid archive
    m, t = _take(t, r"\b(?:(?:came |come |is |are )?back,? (?:but |and )?)?(?:not (?:yet )?paid|"
                    r"unpaid|awaiting payment|waiting (?:on|for) payment)\b")  # fmt: skip
    if m:
        args["status"] = f"{Status.RECEIVED.value}, {Status.COMPLETE.value}"
    m, t = _take(t, r"\bin (?:the )?(active|net|paid|returns) (?:archive|sheet|tab)\b|"
                    r"\b(active|net|paid|returns) (?:archive|sheet|tab)\b")  # fmt: skip
    if m:
        args["archive"] = ARCHIVE_OF[m[1] or m[2]]
    elif m := re.search(r"\b(returns|net(?! ?\d)|paid)\b(?! (?:out|for))", t):
        _, t = _take(t, rf"\b{m[1]}\b")
        args["archive"] = ARCHIVE_OF[m[1]]
    elif re.search(r"\b(?:all archives|any archive|archived|closed|everything)\b", t):
        _, t = _take(t, r"\b(?:all archives|any archive|archived|closed|everything)\b")
        args["archive"] = "ALL"
    elif re.search(r"\b(?:open|active)\b", t):  # "open ROs at Avtech": the Active archive
        _, t = _take(t, r"\b(?:open|active)\b")
        args["archive"] = "ACTIVE"
    t, now = re.subn(NOW, " ", t, flags=re.I)  # read below, once the status is known
    # "ROs that need a quote approved": not yet APPROVED — the quote stage, WAITING QUOTE
    m, t = _take(t, r"\bneed(?:s|ing)?\s+(?:a\s+|the\s+|their\s+)?quotes?\s+approv\w*|"
                    r"\bquotes?\s+to\s+approve\b|\bawaiting\s+quote\s+approval\b")  # fmt: skip
    if m:
        args["status"] = Status.WAITING_QUOTE.value
    for word in STATUS_WORDS:
        m, t2 = _take(t, rf"\b{re.escape(word)}\b")
        if m:
            args["status"] = STATUS_OF[word]
            t = t2
            break
    # "ROs at Avtech right now", "what's out for repair": the ones out there, open (unless a
    # status says which: "currently in work" is that status, wherever it is filed)
    if now and "archive" not in args and "status" not in args:
        args["archive"] = "ACTIVE"
    if "status" in args:  # "ROs received last week": when they took that status
        m, t = _take(t, rf"\b(?:in\s+)?({SPAN})(?=\W|$)")
        if m and (period := span(m[1], today)):
            _put_period(args, "status_date", period)
        elif m:
            found.notes.append(f'"{m[1]}" is not a date I understand')
    m = re.search(r"\b(?:at|from|with)\s+(?:shop\s+)?([a-z][\w&.' -]*?)" + STOP, t, re.I)
    # not a thing an RO has ("ROs with photos", "with quotes over 5k"): left unread, and said
    if m and not set(m[1].split()) & NOT_A_SHOP:
        t = _blank(t, m)
        # not "at the shops" (every shop), nor a word that is no name ("overdue ... at late
        # work")
        if not re.fullmatch(ANY_SHOP, m[1].strip(" '")) and set(m[1].split()) - FILLER:
            args["shop"] = m[1].strip(" '")
    # "how many ROs does Avtech have open"
    m, t = _take(t, r"\b(?:does|do)\s+(?!we\b|you\b|i\b)([a-z][\w&.' -]*?)\s+(?:have|hold)\b")
    if m and "shop" not in args:
        args["shop"] = m[1].strip(" '")
    m, t = _take(t, r"\b(?:top|first|last)\s+(\d{1,3})\b")
    if m:
        args["limit"] = min(int(m[1]), 100)
    # "how many ROs this year", "most repaired parts this month": a period no date word claims,
    # on a plain list or count of ROs with nothing else unread, is when they were made (the
    # answer says so); beside other conditions or words ("overdue ROs this week", "returned to
    # the shop this month") it stays unread, and is said
    if not set(args) - {"shop", "count_by", "totals", "archive", "sort", "limit"}:
        m, rest = _take(t, rf"\b(?:(?:in|during|for|over|from)\s+)?({SPAN})(?=\W|$)")
        if m and not _unread(rest) and (period := span(m[1], today)):
            t = rest
            _put_period(args, "date_made", period)
    # "which ROs have no ETA?": a blank the desk chases is news on an open RO only (every paid
    # RO has no follow-up date); an archive or a status said, or a record's own field (final
    # cost, serial), keeps every archive
    missing = set(args.get("missing", []))
    if missing and missing <= CHASED and "archive" not in args and "status" not in args:
        args["archive"] = "ACTIVE"
    found.leftover = _unread(t)
    return found


def words_of(t: str) -> list[str]:
    """The words of a request as the rules count them ("haven't", "066-50008", "#5" whole)."""
    return re.findall(r"[\w'#/\-]+", t)


def _unread(t: str) -> list[str]:
    """The words of `t` no rule took that ask for something (not filler)."""
    return [w for w in words_of(t) if w not in FILLER]


def describe_leftover(found: Found) -> str | None:
    """The sentence saying what was not understood, if anything."""
    parts = list(found.notes)
    if found.leftover:
        parts.append("I did not understand “" + " ".join(found.leftover) + "”")
    if not parts:
        return None
    return "Note: " + "; ".join(parts) + " — so I did not filter by it. "
