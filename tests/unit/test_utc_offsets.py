"""The desk's offsets from UTC over a period, to the second of each daylight-saving change."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.local_time import utc_offsets

NEW_YORK = ZoneInfo("America/New_York")


def test_a_new_york_year_has_its_two_changes_to_the_second():
    start, end = datetime(2026, 1, 1, 5), datetime(2027, 1, 1, 5)
    assert utc_offsets(NEW_YORK, start, end) == [
        (start, -300),
        (datetime(2026, 3, 8, 7), -240),  # 02:00 EST becomes 03:00 EDT
        (datetime(2026, 11, 1, 6), -300),  # 02:00 EDT becomes 01:00 EST
    ]


def test_a_period_without_a_change_has_one_offset():
    assert utc_offsets(NEW_YORK, datetime(2026, 4, 1, 4), datetime(2026, 7, 1, 4)) == [
        (datetime(2026, 4, 1, 4), -240)
    ]
    assert utc_offsets(ZoneInfo("UTC"), datetime(2000, 1, 1), datetime(2030, 1, 1)) == [
        (datetime(2000, 1, 1), 0)
    ]
    kolkata = utc_offsets(ZoneInfo("Asia/Kolkata"), datetime(2026, 1, 1), datetime(2026, 2, 1))
    assert kolkata == [(datetime(2026, 1, 1), 330)]  # half-hour offsets are whole minutes


def test_a_change_within_the_last_partial_day_is_found():
    # The period ends 3 hours after the change: the last step is shorter than a day.
    assert utc_offsets(NEW_YORK, datetime(2026, 3, 7, 10), datetime(2026, 3, 8, 10)) == [
        (datetime(2026, 3, 7, 10), -300),
        (datetime(2026, 3, 8, 7), -240),
    ]
