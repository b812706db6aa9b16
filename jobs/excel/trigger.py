"""Committed RO changes nudge the `excel_sync` actor, debounced.

The outbox row is the guarantee; this handler only makes the sync happen within seconds. The
first change of a burst sends one message delayed by GT_EXCEL_DEBOUNCE_MS; changes committed
before that message runs are covered by it (a drain takes everything pending when it starts),
so they send nothing. Installed on the App by `jobs.embedded.start` (the chat process).
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


def _send(delay_ms: int) -> None:
    from jobs.excel.actor import excel_sync

    excel_sync.send_with_options(delay=delay_ms or None)


def install(app) -> DebouncedSync:
    """Add the handler to `app.handlers` once; returns it."""
    for handler in app.handlers:
        if isinstance(handler, DebouncedSync):
            return handler
    handler = DebouncedSync(_send, app.settings.excel_debounce_ms)
    app.handlers.append(handler)
    return handler


def uninstall(app) -> None:
    app.handlers[:] = [h for h in app.handlers if not isinstance(h, DebouncedSync)]
