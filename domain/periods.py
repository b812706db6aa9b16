"""Periods as people name them ("this year", "Q3", "last 90 days", "November") as date ranges.

`parse_period(text, today)` returns a `Period` (both ends inclusive) or refuses with the reason:
an unknown phrase, a date that does not exist, a range that ends before it starts or starts
after today (no RO can have dates there yet). Today is passed in, never read from the clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidInput

MAX_DAYS = 3660  # "last N days" beyond ten years is a typo, not a question
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
WEEK = timedelta(days=6)  # a week's last day after its first
EXAMPLES = (
    '"today", "yesterday", "last week", "this year", "last year", "Q3", "Q3 2026", '
    '"last 90 days", "this month", "last month", '
    '"November", "March to May", "2026", "from 2026-01-01 to 2026-06-30"'
)
ISO = r"(\d{4}-\d{1,2}-\d{1,2})"
MONTH_NAME = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH_RANGE = (
    rf"(?:from |between )?({MONTH_NAME})(?: (\d{{4}}))? (?:to|until|through|and|-) "
    rf"({MONTH_NAME})(?: (\d{{4}}))?"
)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _iso(text: str) -> date:
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        raise InvalidInput(f"{text} is not a date (YYYY-MM-DD).") from None


def _year(text: str) -> int:
    year = int(text)
    if not 1900 <= year <= 2999:
        raise InvalidInput(f"{text} is not a year this desk has data for.")
    return year


def _month(year: int, month: int, label: str) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last), label)


def _quarter(year: int, q: int) -> Period:
    if not 1 <= q <= 4:
        raise InvalidInput(f"There is no Q{q}: quarters are Q1 to Q4.")
    first = 3 * (q - 1) + 1
    end_month = first + 2
    last = calendar.monthrange(year, end_month)[1]
    return Period(date(year, first, 1), date(year, end_month, last), f"Q{q} {year}")


def _month_range(m: re.Match, today: date) -> Period:
    """ "March to May" (the last May that has begun), "from Nov 2025 to Feb 2026",
    "November to February" (across the new year): first day of one to last day of the other."""
    first, last = MONTHS[m[1]], MONTHS[m[3]]
    if m[4]:
        end_year = _year(m[4])
    elif m[2]:
        end_year = _year(m[2]) + (last < first)
    else:
        end_year = today.year if last <= today.month else today.year - 1
    start_year = _year(m[2]) if m[2] else end_year - (first > last)
    start = date(start_year, first, 1)
    end = date(end_year, last, calendar.monthrange(end_year, last)[1])
    if end < start:
        raise InvalidInput(f"The period ends ({end}) before it starts ({start}); swap the months?")
    label = f"{calendar.month_name[first]} {start_year} to {calendar.month_name[last]} {end_year}"
    return Period(start, end, label)


def _parse(text: str, today: date) -> Period:
    t = " ".join(text.lower().replace(",", " ").split())
    t = re.sub(r"^(in|during|for|over|the)\s+", "", t)
    if t in {"today", "yesterday"}:
        day = today - timedelta(days=1 if t == "yesterday" else 0)
        return Period(day, day, f"{t} ({day})")
    if t in {"this week", "last week"}:  # Monday to Sunday, as the chat reads "last week"
        monday = today - timedelta(days=today.weekday() + (7 if t == "last week" else 0))
        return Period(monday, monday + WEEK, f"{t} ({monday} – {monday + WEEK})")
    if re.fullmatch(ISO, t):
        day = _iso(t)
        return Period(day, day, str(day))
    if t in {"this year", "year to date", "ytd"}:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), f"{today.year}")
    if t == "last year":
        y = today.year - 1
        return Period(date(y, 1, 1), date(y, 12, 31), f"{y}")
    if t == "this month":
        return _month(today.year, today.month, f"{calendar.month_name[today.month]} {today.year}")
    if t == "last month":
        prev = today.replace(day=1) - timedelta(days=1)
        return _month(prev.year, prev.month, f"{calendar.month_name[prev.month]} {prev.year}")
    if t in {"this quarter", "last quarter"}:
        q, y = (today.month - 1) // 3 + 1, today.year
        if t == "last quarter":
            q, y = (q - 1, y) if q > 1 else (4, y - 1)
        return _quarter(y, q)
    if m := re.fullmatch(r"(?:last|past|previous) (\d+) (day|week|month)s?", t):
        n, unit = int(m[1]), m[2]
        days = n * {"day": 1, "week": 7, "month": 30}[unit]
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f'"{text}" is not a usable period: 1 day to 10 years.')
        return Period(today - timedelta(days=days - 1), today, f"last {n} {unit}s")
    if m := re.fullmatch(r"q([0-9]+)(?: (?:of )?(\d{4}))?", t) or re.fullmatch(
        r"(\d{4}) q([0-9]+)", t
    ):
        q_text, y_text = (m[1], m[2]) if t.startswith("q") else (m[2], m[1])
        if y_text:
            return _quarter(_year(y_text), int(q_text))
        period = _quarter(today.year, int(q_text))
        # A bare "Q4" in February means the last Q4 that has begun.
        return period if period.start <= today else _quarter(today.year - 1, int(q_text))
    if (m := re.fullmatch(r"([a-z]+)(?: (\d{4}))?", t)) and m[1] in MONTHS:
        month = MONTHS[m[1]]
        # A bare month name is the last one that has begun ("November" in March: last year's).
        latest = today.year if month <= today.month else today.year - 1
        year = _year(m[2]) if m[2] else latest
        return _month(year, month, f"{calendar.month_name[month]} {year}")
    if m := re.fullmatch(MONTH_RANGE, t):
        return _month_range(m, today)
    if re.fullmatch(r"\d{4}", t):
        y = _year(t)
        return Period(date(y, 1, 1), date(y, 12, 31), f"{y}")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        year, month = _year(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise InvalidInput(f"{text} is not a month (YYYY-MM).")
        return _month(year, month, f"{calendar.month_name[month]} {year}")
    if m := re.fullmatch(rf"(?:from |between )?{ISO} (?:to|until|through|and|-) {ISO}", t):
        start, end = _iso(m[1]), _iso(m[2])
        if end < start:
            raise InvalidInput(
                f"The period ends ({end}) before it starts ({start}); swap the dates?"
            )
        return Period(start, end, f"{start} to {end}")
    if m := re.fullmatch(rf"since {ISO}", t):
        start = _iso(m[1])
        return Period(start, today, f"since {start}")
    raise InvalidInput(f'I do not understand the period "{text}". Try {EXAMPLES}.')


def parse_period(text: str | None, today: date) -> Period:
    """The date range `text` names, relative to `today`; InvalidInput with the reason if none."""
    if text is None or not str(text).strip():
        raise InvalidInput(f"Which period? For example {EXAMPLES}.")
    if len(str(text)) > 100:
        raise InvalidInput("A period is a few words, e.g. " + EXAMPLES + ".")
    period = _parse(str(text), today)
    if period.start > today:
        raise InvalidInput(
            f"{period.label} starts after today ({today}); there is nothing to report yet."
        )
    return period
