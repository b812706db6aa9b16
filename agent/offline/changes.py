"""The desk's changes in a period: "what changed yesterday?", "what did jordan do this week?",
"anything happen at Avtech today?" — the request (tool `recent_changes`) and its answer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic_ai.messages import ToolCallPart

from agent.offline.dates import span
from agent.offline.filters import SPAN, search_filters

# "I changed", "I have archived": the person asking did something
I_DID = r"i (?:have )?(?:changed|did|done|touched|updated|archived)"
# Asks what was done, not for a list of ROs ("ROs updated this week" is the search's)
DONE_ASKED = (
    r"\b(?:what(?:'s| has| have)?(?: been)? (?:chang\w*|happen\w*|done)|"
    r"anything (?:chang\w*|happen\w*|new|done)|any (?:changes|activity)|"
    r"(?:the |all )?(?:changes|activity)(?: (?:made|done))?|"
    r"what did (?:\S+ )?(?:do|change|archive|close|create|delete|open)|"
    rf"(?:ros? |what |everything )?{I_DID}|"
    r"my (?:changes|activity|work)|"
    r"who changed what|who did what|(?:which|what|any) ros? (?:were |got |have been )?chang\w*|"
    r"who (?:changed|did|made|updated|handled|worked on) (?:the )?most|who (?:was|were) busiest|"
    r"(?:any|what|which) (?:new )?(?:notes?|documents?|files?|status changes) "
    r"(?:were |was )?(?:added|uploaded|made)|"
    r"(?:what|which ros?|anything) (?:was |were |got |has been |have been )?"
    r"(?:archiv\w*|closed|deleted|created)|status changes|"
    r"how many ros? (?:did|have|has) \S+ (?:clos\w*|archiv\w*|creat\w*|delet\w*|open\w*))\b"
)
# A kind of change named ("what was archived yesterday?"): the tool's `kind`
KIND_WORDS = (
    (r"\bstatus(?:es)?(?: changes?)?\b", "status"),
    (r"\b(?:archiv\w*|clos(?:e|ed|ing))\b", "archive"),
    (r"\bdelet\w*\b", "deleted"),
    (r"\b(?:created|new ros?|open(?:ed)?)\b", "created"),
    (r"\b(?:e-?mails?|mail|drafts?|replies)\b", "email"),
    (r"\bnotes?\b", "notes"),
    (r"\b(?:documents?|files?|certificates?|8130s?)\b", "documents"),
)
PERSON = (
    r"\b(?:by|did)\s+(?!we\b|you\b|i\b|anyone\b|anybody\b|someone\b|the\b|people\b)([a-z][\w.@+-]*)"
)
# "what did I do", "the ROs I changed", "my changes": the person asking
MINE = rf"\b(?:did i|{I_DID}|my|by me)\b"
# Words of such a question that ask for nothing more
FILLER = (
    r"\b(?:what|whats|what's|has|have|been|was|were|is|are|anything|any|changes?|changed|"
    r"happen\w*|activity|done|do|did|made|new|on|the|desk|here|with|our|all|ros?|repair|"
    r"orders?|who|what|so|far|please|we|us|me|show|list|tell|give|there|for|to|in|of|most|"
    r"busiest|updated|handled|worked)\b"
)
SHOWN = 25


def feed_request(text: str, today: date) -> tuple[str | None, ToolCallPart] | None:
    """(a note on what it could not honour, the call) for a question about what was done in a
    period; None when the text asks something else (one RO's history, a list of ROs)."""
    t = " ".join(text.lower().replace("’", "'").split())
    if not re.search(DONE_ASKED, t) or re.search(r"\d{3,9}\b(?![-/])", _without_dates(t)):
        return None
    said = re.search(rf"\b(?:{SPAN})(?=\W|$)", t)
    period = span(said[0], today) if said else (today, today)  # "what changed?": today
    if period is None:
        return None
    start, end = period
    args: dict[str, Any] = {
        "period": f"from {(start or date(2000, 1, 1)).isoformat()} to {(end or today).isoformat()}"
    }
    rest = t if said is None else t[: said.start()] + " " + t[said.end() :]
    if m := re.search(PERSON, rest):
        args["person"] = m[1]
        rest = rest[: m.start()] + " " + rest[m.end() :]
    elif m := re.search(MINE, rest):  # the tool reads "me" as the one asking
        args["person"] = "me"
        rest = rest[: m.start()] + " " + rest[m.end() :]
    kinds = {kind for pattern, kind in KIND_WORDS if re.search(pattern, rest)}
    if len(kinds) > 1:
        return None  # "archived or deleted": not one kind; the search says what it can't read
    if kinds:
        args["kind"] = kinds.pop()
        for pattern, _ in KIND_WORDS:
            rest = re.sub(pattern, " ", rest)
    found = search_filters(re.sub(r"\bhow many\b", " ", rest), today)
    if set(found.args) - {"shop"}:
        return None  # a status, an archive, overdue...: the RO search's question
    if found.args.get("shop"):
        args["shop"] = found.args["shop"]
    unread = re.sub(FILLER, " ", " ".join(found.leftover))
    unread = " ".join(re.sub(r"[^\w@.' -]", " ", unread).split())
    if unread and said is None:  # "what changed in smarch": a period it cannot read, not today
        return None, (
            f"I could not read “{unread}” as a period. Ask, for example, “what changed "
            "yesterday?”, “what changed last week?” or “what changed since Monday?”."
        )
    note = (
        f"Note: I did not understand “{unread}” — so I did not filter by it. " if unread else None
    )
    return note, ToolCallPart("recent_changes", args, "offline-changes")


def _without_dates(t: str) -> str:
    return re.sub(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?", " ", t)


def feed_answer(content: dict[str, Any]) -> str:
    """ "**37 changes** on 12 ROs yesterday (2026-12-03) — by ana (20), ed (17):" and the newest."""
    period, total = content["period"], content["total"]
    where = _period_words(period) + _filters_words(content.get("filters") or {})
    if not total:
        return f"**No changes** to any RO {where}."
    people = ", ".join(f"{who} ({n})" for who, n in content["by_person"])
    if (others := total - sum(n for _, n in content["by_person"])) > 0:
        people += f", others ({others})"
    head = (
        f"**{total} change{'s' if total != 1 else ''}** on **{content['ros']} "
        f"RO{'s' if content['ros'] != 1 else ''}** {where} — by {people}"
    )
    items = content["items"][:SHOWN]
    lines = "\n".join(_line(item) for item in items)
    more = (
        f"\n- … and {total - len(items)} more (newest {len(items)} shown)"
        if total > len(items)
        else ""
    )
    return f"{head}:\n{lines}{more}"


def _period_words(period: dict[str, Any]) -> str:
    if period["start"] == period["end"]:
        return f"on {period['start']}"
    return f"from {period['start']} to {period['end']}"


def _filters_words(filters: dict[str, Any]) -> str:
    kind = f" ({KIND_SAID[filters['kind']]} only)" if filters.get("kind") in KIND_SAID else ""
    shop = f" at shops matching “{filters['shop']}”" if filters.get("shop") else ""
    person = f" made by people matching “{filters['person']}”" if filters.get("person") else ""
    if filters.get("person_is_asker"):
        person = f" made by you ({filters['person']})"
    return kind + shop + person


KIND_SAID = {
    "status": "status changes",
    "archive": "moves between archives",
    "created": "new ROs",
    "deleted": "deletions",
    "edits": "edits",
    "notes": "notes",
    "email": "emails",
    "documents": "documents",
}


def _line(item: dict[str, Any]) -> str:
    action = item["action"]
    if item.get("field"):
        what = f"{item['field']}: {item.get('old') or '—'} → {item.get('new') or '—'}"
    else:
        what = action.replace("_", " ").lower() + (f": {item['new']}" if item.get("new") else "")
    shop = item.get("shop_name") or "—"
    return f"- {item['when']} · RO {item['ro_number']} ({shop}) · {item['by']} · {what}"
