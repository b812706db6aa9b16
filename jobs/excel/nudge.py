"""Committed RO changes nudge the `excel_sync` actor, debounced.

The outbox row is the guarantee; this handler only makes the sync happen within seconds. The
first change of a burst sends one message delayed by GT_EXCEL_DEBOUNCE_MS; changes committed
before that message runs are covered by it (a drain takes everything pending when it starts),
so they send nothing. `bootstrap` installs one in every process that writes (chat, worker, CLI),
so the nudge fires wherever the write ran.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from domain.unit_of_work import Event

RELEVANT_PREFIXES = ("ro.", "demo.")


class DebouncedSync:
    def __init__(
        self,
        send: Callable[[int], object],
        delay_ms: int,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.send = send
        self.delay_ms = delay_ms
        self.clock = clock
        self._lock = threading.Lock()
        self._covered_until = 0.0  # when the message already sent will start draining

    def __call__(self, event: Event) -> None:
        if not event.name.startswith(RELEVANT_PREFIXES):
            return
        with self._lock:
            now = self.clock()
            if now < self._covered_until:
                return
            self._covered_until = now + self.delay_ms / 1000
        self.send(self.delay_ms)
