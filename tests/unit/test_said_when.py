"""When a shop said something, read from now: a card shown days later never reads as today."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.local_time import said_when

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=NY)


@pytest.mark.parametrize(
    ("at", "said"),
    [
        (datetime(2026, 12, 2, 9, 12, tzinfo=NY), "at 09:12"),
        (datetime(2026, 12, 2, 11, 0, tzinfo=NY), "at 11:00"),  # a clock ahead: still today
        (datetime(2026, 12, 1, 9, 12, tzinfo=NY), "yesterday at 09:12"),
        (datetime(2026, 11, 28, 16, 5, tzinfo=NY), "on Nov 28 at 16:05"),
        (datetime(2025, 12, 30, 8, 0, tzinfo=NY), "on Dec 30 2025 at 08:00"),
        (datetime(2026, 12, 2, 4, 0, tzinfo=ZoneInfo("UTC")), "yesterday at 23:00"),  # NY's day
    ],
)
def test_said_when(at, said):
    assert said_when(at, NOW) == said
