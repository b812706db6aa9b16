"""Dates as the desk types them, resolved against a fixed today (Friday 2026-11-20)."""

from datetime import date

import pytest

from agent.offline.dates import day, span
from domain.periods import parse_period

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 11, 20)),
        ("tomorrow", date(2026, 11, 21)),
        ("next Tuesday", date(2026, 11, 24)),
        ("tuesday", date(2026, 11, 24)),
        ("next friday", date(2026, 11, 27)),
        ("last monday", date(2026, 11, 16)),
        ("EOM", date(2026, 11, 30)),
        ("end of month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("12/15", date(2026, 12, 15)),
        ("12/15/26", date(2026, 12, 15)),
        ("1/5/2027", date(2027, 1, 5)),
        ("2026-12-15", date(2026, 12, 15)),
        ("Dec 15", date(2026, 12, 15)),
        ("December 15th, 2026", date(2026, 12, 15)),
        ("15 Dec", date(2026, 12, 15)),
        ("in 2 weeks", date(2026, 12, 4)),
        ("in 10 days", date(2026, 11, 30)),
    ],
)
def test_one_day(text, expected):
    assert day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2/30", "13/1", "someday", "next blursday", ""])
def test_not_a_day(text):
    assert day(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this week", (date(2026, 11, 16), date(2026, 11, 22))),
        ("last week", (date(2026, 11, 9), date(2026, 11, 15))),
        ("this month", (date(2026, 11, 1), date(2026, 11, 30))),
        ("last month", (date(2026, 10, 1), date(2026, 10, 31))),
        ("this year", (date(2026, 1, 1), date(2026, 12, 31))),
        ("last 90 days", (date(2026, 8, 23), date(2026, 11, 20))),
        ("past 2 weeks", (date(2026, 11, 7), date(2026, 11, 20))),
        ("Q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("q1 2025", (date(2025, 1, 1), date(2025, 3, 31))),
        ("November", (date(2026, 11, 1), date(2026, 11, 30))),
        ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("from 12/1 to 12/15", (date(2026, 12, 1), date(2026, 12, 15))),
        ("between Dec 1 and EOM", (date(2026, 12, 1), date(2026, 11, 30))),
        ("before 12/15", (None, date(2026, 12, 14))),
        ("by EOM", (None, date(2026, 11, 30))),
        ("since Nov 1", (date(2026, 11, 1), None)),
        ("after next tuesday", (date(2026, 11, 25), None)),
        # TODAY is Friday: "since Monday" is the Monday just gone, "since Friday" today
        ("since Monday", (date(2026, 11, 16), None)),
        ("since friday", (date(2026, 11, 20), None)),
        ("after Monday", (date(2026, 11, 24), None)),  # the coming one: an ETA after Monday
    ],
)
def test_spans(text, expected):
    assert span(text, TODAY) == expected


def test_not_a_span():
    assert span("the other day", TODAY) is None


@pytest.mark.parametrize("text", ["last 7 days", "last 1 day", "past 2 weeks", "last 3 months"])
def test_the_last_n_days_are_the_days_reports_count(text):
    """A filter's "last 7 days" and a report's are the same seven days, today the last."""
    reported = parse_period(text, TODAY)
    assert span(text, TODAY) == (reported.start, reported.end)
