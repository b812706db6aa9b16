"""The legacy JSON of repair orders, kept rendered between requests.

`GET /api/ros` answers whole archives (300 active ROs and more) to clients that poll. Building
each RO (a database row, its overdue facts, the legacy shape, JSON) costs about 0.1 ms, so a
list cost tens of milliseconds of CPU per request, every request. Here each RO's JSON is kept
under (number, version, today): any change to an RO bumps its version and the overdue facts
move only with the day, so a kept fragment is exactly what rendering it again would give.
A request asks the database only for the page's (number, version) pairs and the total, renders
the ROs it does not have (new or changed since), and joins the fragments.

The last joined page is kept too, under its (number, version) pairs: a poll that finds nothing
changed answers the same bytes without looking up and joining hundreds of fragments.

Per process (each `gt serve` keeps its own); bounded: past `max_rows` fragments it starts
afresh rather than tracking use (a full re-render is one request's worth of work).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.repair_orders import ListFilter, RepairOrderService, RepairOrderView

MAX_ROWS = 50_000


class RenderedRepairOrders:
    def __init__(
        self, render: Callable[[RepairOrderView], dict[str, Any]], max_rows: int = MAX_ROWS
    ):
        self._render = render
        self._max_rows = max_rows
        self._day: date | None = None
        self._fragments: dict[tuple[str, int], bytes] = {}
        self._last_page: tuple[list[tuple[str, int]], bytes] = ([], b"[]")
        self._lock = threading.Lock()

    def page(self, service: RepairOrderService, flt: ListFilter) -> tuple[int, int, bytes]:
        """(total, rows in the page, the page as a JSON array)."""
        today = service.today()
        total, keys = service.list_versions(flt)
        with self._lock:
            if today != self._day:
                self._fragments.clear()
                self._last_page = ([], b"[]")
                self._day = today
            last_keys, last_body = self._last_page
            if keys and keys == last_keys:
                return total, len(keys), last_body
            found = {key: self._fragments.get(key) for key in keys}
        missing = [number for (number, _), fragment in found.items() if fragment is None]
        if missing:
            key_of = dict(keys)
            fresh = {}
            for number, view in service.views(missing).items():
                fragment = json.dumps(
                    self._render(view), ensure_ascii=False, separators=(",", ":")
                ).encode()
                fresh[(number, view.version)] = fragment
                # under the version read with the page (if it changed since: the newer one)
                found[(number, key_of[number])] = fragment
            with self._lock:
                if len(self._fragments) + len(fresh) > self._max_rows:
                    self._fragments.clear()
                if today == self._day:
                    self._fragments.update(fresh)
        rows = [fragment for fragment in found.values() if fragment is not None]
        body = b"[" + b",".join(rows) + b"]"
        if len(rows) == len(keys):
            with self._lock:
                if today == self._day:
                    self._last_page = (keys, body)
        return total, len(rows), body
