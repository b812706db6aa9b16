"""Every follow-up interval the settings accept builds a schedule (a day's 1440 minutes used to
pass validation and then stop `gt serve` at start)."""

from __future__ import annotations

from datetime import datetime

import pytest

from config import Settings
from jobs.scheduler import triggers

ACCEPTED = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440]


@pytest.mark.parametrize("every", ACCEPTED)
def test_every_accepted_follow_up_interval_builds_a_trigger(tmp_path, every):
    settings = Settings(GT_VAR_DIR=str(tmp_path), GT_FOLLOWUP_CHECK_EVERY_MIN=every)
    trigger = triggers(settings)["follow_up_check"]
    start = datetime(2026, 12, 2, 0, 0, 30, tzinfo=settings.tz)
    first = trigger.get_next_fire_time(None, start)
    second = trigger.get_next_fire_time(first, first.replace(second=1))
    assert (second - first).total_seconds() == every * 60
