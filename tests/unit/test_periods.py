"""Periods as people name them, against a fixed today (a Friday in November 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.periods import parse_period

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("this year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("today", TODAY, TODAY, "today (2026-11-20)"),
        ("yesterday", date(2026, 11, 19), date(2026, 11, 19), "yesterday (2026-11-19)"),
        (
            "this week",
            date(2026, 11, 16),
            date(2026, 11, 22),
            "this week (2026-11-16 – 2026-11-22)",
        ),
        ("last week", date(2026, 11, 9), date(2026, 11, 15), "last week (2026-11-09 – 2026-11-15)"),
        ("2026-11-18", date(2026, 11, 18), date(2026, 11, 18), "2026-11-18"),
        ("This Year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("last year", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("Q3", date(2026, 7, 1), date(2026, 9, 30), "Q3 2026"),
        ("q1 2025", date(2025, 1, 1), date(2025, 3, 31), "Q1 2025"),
        ("Q3 2026", date(2026, 7, 1), date(2026, 9, 30), "Q3 2026"),
        ("2026 Q2", date(2026, 4, 1), date(2026, 6, 30), "Q2 2026"),
        ("this quarter", date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"),
        ("last quarter", date(2026, 7, 1), date(2026, 9, 30), "Q3 2026"),
        ("last 90 days", date(2026, 8, 23), TODAY, "last 90 days"),
        ("past 2 weeks", date(2026, 11, 7), TODAY, "last 2 weeks"),
        ("this month", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
        ("last month", date(2026, 10, 1), date(2026, 10, 31), "October 2026"),
        ("November", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
        ("in December", date(2025, 12, 1), date(2025, 12, 31), "December 2025"),
        ("feb 2024", date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "February 2026"),
        (
            "from 2026-01-01 to 2026-06-30",
            date(2026, 1, 1),
            date(2026, 6, 30),
            "2026-01-01 to 2026-06-30",
        ),
        ("2026-3-1 to 2026-3-31", date(2026, 3, 1), date(2026, 3, 31), "2026-03-01 to 2026-03-31"),
        ("since 2026-06-01", date(2026, 6, 1), TODAY, "since 2026-06-01"),
        ("from march to may", date(2026, 3, 1), date(2026, 5, 31), "March 2026 to May 2026"),
        ("Sep to Dec", date(2025, 9, 1), date(2025, 12, 31), "September 2025 to December 2025"),
        (
            "november to february",
            date(2025, 11, 1),
            date(2026, 2, 28),
            "November 2025 to February 2026",
        ),
        (
            "between jan 2025 and mar 2025",
            date(2025, 1, 1),
            date(2025, 3, 31),
            "January 2025 to March 2025",
        ),
        (
            "from nov 2024 to feb",
            date(2024, 11, 1),
            date(2025, 2, 28),
            "November 2024 to February 2025",
        ),
    ],
)
def test_periods_people_name(text, start, end, label):
    period = parse_period(text, TODAY)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_a_bare_quarter_not_begun_yet_is_last_years():
    assert parse_period("Q4", date(2026, 2, 10)).start == date(2025, 10, 1)
    assert parse_period("last quarter", date(2026, 2, 10)).start == date(2025, 10, 1)


def test_last_month_in_january_is_last_december():
    period = parse_period("last month", date(2026, 1, 15))
    assert (period.start, period.end) == (date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("from 2026-06-30 to 2026-01-01", "ends (2026-01-01) before it starts (2026-06-30)"),
        ("from may 2026 to march 2025", "ends (2025-03-31) before it starts (2026-05-01)"),
        ("march 2027 to may 2027", "starts after today"),
        ("Q5", "There is no Q5"),
        ("Q0 2026", "There is no Q0"),
        ("2026-02-30 to 2026-03-01", "2026-02-30 is not a date"),
        ("2026-13", "is not a month"),
        ("2027", "starts after today (2026-11-20)"),
        ("Q1 2027", "starts after today"),
        ("last 0 days", "1 day to 10 years"),
        ("last 5000 days", "1 day to 10 years"),
        ("next week", "I do not understand"),
        ("", "Which period?"),
        (None, "Which period?"),
        ("x" * 200, "a few words"),
    ],
)
def test_impossible_or_unknown_periods_are_refused_with_the_reason(text, reason):
    with pytest.raises(InvalidInput, match=None) as refused:
        parse_period(text, TODAY)
    assert reason in str(refused.value)
