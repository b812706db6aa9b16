"""Chainlit's steps and messages without its 1 ms sleep on the event loop.

Chainlit 2.x's `Step.__init__` and `Message.__init__` call `time.sleep(0.001)` so that two made in
a row get different `created_at` times (a thread's history is ordered by them). That stops the
event loop — every session's turn, not just this one — for a millisecond or more, four to six
times a turn. `install()` gives the same order from the clock instead: in those two modules
`utc_now` never returns a time at or before the last one it returned, and the sleep is skipped.
"""

from __future__ import annotations

import importlib
import threading
import time
import types
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_last = datetime.min


def utc_now() -> str:
    """Chainlit's `utc_now` (naive UTC ISO text + "Z"), strictly increasing; always with
    microseconds, so that the text sorts like the time."""
    global _last
    now = datetime.now(UTC).replace(tzinfo=None)
    with _lock:
        if now <= _last:
            now = _last + timedelta(microseconds=1)
        _last = now
    return now.isoformat(timespec="microseconds") + "Z"


class _TimeWithoutShortSleeps(types.ModuleType):
    """The `time` module, except that a sleep of a few milliseconds does nothing."""

    def __getattr__(self, name: str):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        if seconds > 0.005:
            time.sleep(seconds)


def install() -> None:
    # by module name: `chainlit.step` as an attribute is Chainlit's `step` decorator
    for name in ("chainlit.step", "chainlit.message"):
        module = importlib.import_module(name)
        module.time = _TimeWithoutShortSleeps("time")
        module.utc_now = utc_now
