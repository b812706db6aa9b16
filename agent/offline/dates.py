"""Dates as the desk types them, resolved against today: "next Tuesday", "EOM", "12/15",
"Dec 15", "in 2 weeks", and spans: "this month", "last 90 days", "Q3", "from 12/1 to 12/15"."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

WEEKDAYS = {name: i for i, name in enumerate(calendar.day_name)} | {
    name[:3].lower(): i for i, name in enumerate(calendar.day_name)
}
WEEKDAYS = {k.lower(): v for k, v in WEEKDAYS.items()}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}

# One date, as a regular expression (for finding it inside a request) — keep in step with `day`.
DATE = (
    rf"(?:today|tomorrow|yesterday|eom|end of (?:the )?(?:next )?month|eoy|end of (?:the )?year"
    rf"|(?:next |this |last )?(?:{WEEKDAY})\b|in \d+ (?:days?|weeks?|months?)"
    rf"|\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
    rf"|(?:{MONTH})\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? (?:{MONTH})(?:,? \d{{4}})?)"
)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str | None, today: date) -> int:
    if not text:
        return today.year
    value = int(text)
    return value + 2000 if value < 100 else value


def day(text: str, today: date) -> date | None:
    """One date, or None when `text` is not a date this understands (or not a real date)."""
    t = " ".join(text.lower().replace(",", " ").split())
    try:
        return _day(t, today)
    except ValueError:  # 2/30, month 13
        return None


def _day(t: str, today: date) -> date | None:
    fixed = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if t in fixed:
        return today + timedelta(days=fixed[t])
    if re.fullmatch(r"eom|end of (?:the )?month", t):
        return _month_end(today.year, today.month)
    if t in ("end of next month", "end of the next month"):
        nxt = _month_end(today.year, today.month) + timedelta(days=1)
        return _month_end(nxt.year, nxt.month)
    if re.fullmatch(r"eoy|end of (?:the )?year", t):
        return date(today.year, 12, 31)
    if m := re.fullmatch(rf"(next |this |last )?({WEEKDAY})", t):
        target = WEEKDAYS[m[2]]
        ahead = (target - today.weekday()) % 7
        if m[1] == "next ":
            ahead = ahead or 7
        elif m[1] == "last ":
            return today - timedelta(days=(today.weekday() - target) % 7 or 7)
        return today + timedelta(days=ahead)
    if m := re.fullmatch(r"in (\d+) (days?|weeks?|months?)", t):
        return today + timedelta(days=int(m[1]) * UNITS[m[2]])
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", t):
        return date(_year(m[3], today), int(m[1]), int(m[2]))
    if m := re.fullmatch(rf"({MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?: (\d{{4}}))?", t):
        return date(_year(m[3], today), MONTHS[m[1]], int(m[2]))
    if m := re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)? ({MONTH})(?: (\d{{4}}))?", t):
        return date(_year(m[3], today), MONTHS[m[2]], int(m[1]))
    return None


def span(text: str, today: date) -> tuple[date | None, date | None] | None:
    """A period: (first day, last day); either end may be open (None). None if not a period."""
    t = " ".join(text.lower().replace(",", " ").split())
    monday = today - timedelta(days=today.weekday())
    if t == "this week":
        return monday, monday + timedelta(days=6)
    if t == "last week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if t == "next week":
        return monday + timedelta(days=7), monday + timedelta(days=13)
    if t == "this month":
        return today.replace(day=1), _month_end(today.year, today.month)
    if t == "last month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if t in ("this year", "ytd", "year to date"):
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if t == "last year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if m := re.fullmatch(r"(?:the )?(?:last|past) (\d+) (days?|weeks?|months?)", t):
        # N days ending today, today included: as reports count them (domain/periods.py)
        return today - timedelta(days=int(m[1]) * UNITS[m[2]] - 1), today
    if m := re.fullmatch(r"(?:the )?next (\d+) (days?|weeks?|months?)", t):
        # today and the N days after it: what falls due "in the next 7 days"
        return today, today + timedelta(days=int(m[1]) * UNITS[m[2]])
    if m := re.fullmatch(r"(?:in )?q([1-4])(?: (\d{4}))?", t):
        year, quarter = _year(m[2], today), int(m[1])
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if m := re.fullmatch(rf"(?:in )?({MONTH})(?: (\d{{4}}))?", t):
        year, month = _year(m[2], today), MONTHS[m[1]]
        return date(year, month, 1), _month_end(year, month)
    if m := re.fullmatch(r"(?:in )?(\d{4})", t):
        return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    if m := re.fullmatch(rf"(?:from |between )?({DATE}) (?:to|and|-|through|until) ({DATE})", t):
        return day(m[1], today), day(m[2], today)
    if m := re.fullmatch(rf"(before|until|by|through) ({DATE})", t):
        end = day(m[2], today)
        if end is None:
            return None
        return None, end - timedelta(days=1) if m[1] == "before" else end
    if m := re.fullmatch(rf"(after|since|from) ({DATE})", t):
        # "since Monday" is the Monday just gone (or today), never the coming one
        past = m[1] == "since" and m[2] in WEEKDAYS
        start = today - timedelta(days=(today.weekday() - WEEKDAYS[m[2]]) % 7) if past else None
        start = start or day(m[2], today)
        if start is None:
            return None
        return start + timedelta(days=1) if m[1] == "after" else start, None
    if m := re.fullmatch(rf"(?:on )?({DATE})", t):
        one = day(m[1], today)
        return (one, one) if one else None
    return None
