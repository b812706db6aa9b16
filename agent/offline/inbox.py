"""The offline model's reading of requests about shops' replies (#16): the inbox ("what did shops
say today", "anything from Avtech", "any replies") and an RO's email thread ("email thread for
G38462", "show the conversation with the shop on RO 38462"). A condition it cannot pass to the
tool (a time like "last month") is said in the note, never dropped silently."""

from __future__ import annotations

import re
from typing import Any

from pydantic_ai.messages import ToolCallPart

from domain.replies.decisions import LABELS
from domain.replies.shown import literal

NUMBER = r"(?:ro\s*#?\s*)?g?(\d{3,9})"
THREAD = re.compile(
    r"\b(?:e-?mail|mail|message)\s+(?:thread|trail|conversation)\b|\bconversation\b|"
    r"\bcorrespondence\b|\b(?:e-?mails|mails|messages)\s+(?:about|on|for|with|of)\b|"
    r"\bwhat did we (?:send|write)\b|\b(?:its|their|the)\s+(?:e-?mails|mails|messages)\b|"
    r"\b(?:show|list|see|read)\b.*\b(?:e-?mails|mails)\b"
)
INBOX = re.compile(
    r"\binbox\b|\brepl(?:y|ies|ied)\b|\banswers? from\b|\bwhat did (?:the )?(?:shops?|vendors?)"
    r" (?:say|write|answer|reply)\b|\banything (?:new )?from\b|\bheard (?:back )?from\b|"
    r"\bwhat did (.+?) (?:say|write|answer)\b"
)
NOT_REPLIED = re.compile(
    r"\b(?:haven'?t|hasn'?t|have not|has not|not yet|never|didn'?t|did not|no one|nobody|not)\s+"
    r"(?:\w+\s+)?(?:repl|answer|respond|heard|got back|gotten back|written back)"
)
NOT_A_SHOP = {"shops", "the shops", "shop", "the shop", "vendors", "anyone", "everyone", "they"}
SINCE = (
    (r"\btoday\b|\bthis morning\b", "today"),
    (r"\byesterday\b", "yesterday"),
    (r"\bthis week\b", "this week"),
)
UNREAD_TIME = re.compile(
    r"\b(?:last (?:week|month|year|\d+ days)|this month|since \w+|\d+ (?:days|weeks) ago|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
)
WAITING = re.compile(r"\b(?:waiting|pending|to confirm|undecided|open)\b")


def _call(tool: str, **args: Any) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args={k: v for k, v in args.items() if v is not None})


def reply_request(raw: str, t: str) -> tuple[str | None, ToolCallPart] | None:
    """(a note on what could not be honoured, the call) for a request about replies, or None."""
    if re.search(r"\b(?:draft|chase|follow[- ]?up|send)\b", t) and not re.search(
        r"\bwhat did we send\b", t
    ):
        return None  # asking for an email to go out, not for what was said
    number = re.search(rf"\b{NUMBER}\b", t)
    if number and THREAD.search(t):
        return None, _call("email_thread", ro_number=number[1])
    silent = NOT_REPLIED.search(t)  # "which shops haven't replied", "who has not answered yet"
    found = INBOX.search(t) or silent
    if found is None:
        return None
    since = next((word for pattern, word in SINCE if re.search(pattern, t)), None)
    if since is None and (date := re.search(r"\b(?:since|after|from) (\d{4}-\d{2}-\d{2})\b", t)):
        since = date[1]
    shop = None
    named = re.search(
        r"\b(?:from|by)\s+(?!the shops?\b|shops\b|today\b|yesterday\b|this week\b|\d{4}-)"
        r"(.+?)(?:\s+(?:today|yesterday|this \w+|last .+|since .+|about .+|\d+ \w+ ago|"
        r"(?:waiting|pending|to confirm)\b.*))?$",
        raw.strip().rstrip("?.! "),
        re.I,
    )
    if named is not None:
        text = named[1]
    elif found.lastindex and found[1]:  # "what did Avtech say": as written (t is lower-cased)
        text = raw.strip()[found.start(1) : found.end(1)]
    else:
        text = None
    if text is not None:
        text = text.strip(" ?.!'\"")
        if text.lower() not in NOT_A_SHOP and not re.fullmatch(r"(?:the )?shops?", text.lower()):
            shop = text
    state = "waiting" if WAITING.search(t) else None
    note = None
    if (unread := UNREAD_TIME.search(t)) and since is None:
        note = (
            f"I can only narrow replies to today, yesterday, this week or since a date "
            f"(YYYY-MM-DD), not “{unread[0]}”: these are all of them.\n\n"
        )
    if silent:  # the inbox holds what came in, not who kept quiet
        note = (note or "") + (
            "I can list the replies that came in, not the shops that have not replied; these "
            "are the replies. The ROs to chase are the ones past their follow-up date: ask "
            "**overdue** (or **overdue at Avtech**).\n\n"
        )
    return note, _call("inbox", since=since, shop=shop, state=state)


# ---- the words -----------------------------------------------------------------------------
def _proposed(rows: list[list[str]]) -> str:
    return "; ".join(
        f"{LABELS.get(field, field)} {literal(now, 80)} → **{literal(new, 80)}**"
        for field, now, new in rows
    )


def inbox_answer(content: dict[str, Any]) -> str:
    """The inbox as a short list; the shop's words are shown literally (escaped, no links)."""
    items = content.get("items") or []
    filters = content.get("filters") or {}
    said = ", ".join(f"{k} {v}" for k, v in filters.items())
    elsewhere = content.get("waiting_not_shown") or 0
    earlier = (
        f"\n\n{elsewhere} proposed update(s) from other replies still wait for a decision; "
        "ask for “replies waiting” to see them."
        if elsewhere
        else ""
    )
    if not items:
        none = content.get("note") or "No replies from shops" + (f" ({said})." if said else ".")
        return none + earlier
    count = f"{len(items)}{'+' if content.get('more') else ''}"
    noun = "reply" if len(items) == 1 else "replies"
    lines = [f"**{count} {noun} from shops**" + (f" ({said})" if said else "") + ":"]
    for item in items:
        flags = "".join(f" · ⚠️ **{f}**" for f in item.get("flags") or [])
        lines.append(
            f"- **{item['when']}** · {literal(item['shop'], 80)} ({literal(item['from'], 120)}) · "
            f"“{literal(item['subject'], 120)}”{flags}"
        )
        for ro in item.get("ros") or []:
            what = f"  - RO {ro['number']} — {ro['state']}"
            if ro.get("proposed"):
                what += ": " + _proposed(ro["proposed"])
            if ro.get("summary"):
                what += f" · “{literal(ro['summary'], 200)}”"
            if ro.get("decided_by"):
                what += f" · by {literal(ro['decided_by'], 80)}"
            if ro.get("reason"):
                what += f" ({literal(ro['reason'], 120)})"
            if ro.get("refused"):
                what += f" — not applied: {literal(ro['refused'], 200)}"
            lines.append(what)
    if content.get("waiting"):
        lines.append("\nThe waiting ones are below as cards: **Confirm**, **Edit** or **Dismiss**.")
    return "\n".join(lines) + earlier


def thread_answer(content: dict[str, Any]) -> str:
    """An RO's conversation with its shop, oldest first."""
    entries = content.get("entries") or []
    shop = literal(content.get("shop") or "the shop", 80)
    head = f"**Emails about RO {content['ro_number']}** with {shop}"
    if not entries:
        return content.get("note") or head + ": none yet."
    lines = [head + ":"]
    for e in entries:
        side = "↘" if e.get("side") == "shop" else "↗"
        flags = "".join(f" · ⚠️ **{f}**" for f in e.get("flags") or [])
        lines.append(
            f"- {e['when']} {side} {literal(e['who'], 80)}: {literal(e['what'], 240)}{flags}"
        )
    return "\n".join(lines)
