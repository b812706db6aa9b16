"""The Graph workbook writer: the company's workbook on SharePoint/OneDrive.

Scanning reads column A of each sheet's used range and each sheet's used extent — all four
sheets in one `$batch` — with no row limit (the old sync stopped at row 10,000). Writes become
range PATCHes: consecutive rows are one PATCH, chunked to stay well under Graph's ~5 MB limit;
small PATCHes, row deletes and clears are packed into chained `$batch` requests of up to 20.

Cell values on Graph: dates as "mm/dd/yy" text, which is what the old system wrote and what
Excel turns into a real date on entry in a US-locale workbook; money as numbers; empty as ""
(which clears the cell); text that Excel would read as a number or date ("066-50008", "1/2")
gets a leading apostrophe so it stays text, as typing it would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from integrations.excel.graph_session import GraphOp, WorkbookSession
from integrations.excel.layout import HEADERS, LAST_COLUMN, WIDTH, Cell, ro_key
from integrations.excel.writer import RowBlock, RowsDone, SheetScan, WritePlan
from integrations.microsoft.graph import GraphClient, TokenProvider, tls_verify

_NUMBER_LIKE = re.compile(r"^[\s\d.,:/+\-$%()eE]+$")
_ADDRESS = re.compile(r"(?:^|!)\$?([A-Z]+)?\$?(\d+)?(?::\$?([A-Z]+)?\$?(\d+)?)?$")


def graph_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%m/%d/%y")
    if isinstance(value, str) and _NUMBER_LIKE.match(value) and any(c.isdigit() for c in value):
        return "'" + value
    return value


def address_rows(address: str) -> tuple[int, int]:
    """First and last row of an A1 address like "Active!A1:U1203" or "'Net'!A1"."""
    match = _ADDRESS.search(address.split("!")[-1])
    if not match or not match.group(2):
        return 1, 1
    first = int(match.group(2))
    last = int(match.group(4)) if match.group(4) else first
    return first, last


class GraphSheets:
    """The writer's session: scan and apply over one Graph workbook session."""

    def __init__(self, session: WorkbookSession):
        self.session = session
        self.base = session.workbook_url

    def _sheet_url(self, sheet: str) -> str:
        return f"{self.base}/worksheets/{quote(sheet, safe='')}"

    # ---- reading -------------------------------------------------------------------------
    def scan(self, sheets: list[str]) -> dict[str, SheetScan]:
        ops: list[GraphOp] = []
        for sheet in sheets:
            url = self._sheet_url(sheet)
            ops.append(
                GraphOp(
                    "GET",
                    f"{url}/range(address='A:A')/usedRange(valuesOnly=true)?$select=address,values",
                    missing_ok=True,
                )
            )
            ops.append(
                GraphOp("GET", f"{url}/usedRange(valuesOnly=true)?$select=address", missing_ok=True)
            )
        answers = self.session.run(ops)
        found: dict[str, SheetScan] = {}
        missing: list[str] = []
        for index, sheet in enumerate(sheets):
            column, extent = answers[2 * index], answers[2 * index + 1]
            if column is None or extent is None:
                missing.append(sheet)
                continue
            found[sheet] = self._read_scan(sheet, column, extent)
        if missing:
            self._add_sheets(missing)
            for sheet in missing:
                found[sheet] = SheetScan(sheet, [], first_row=2, last_row=1, has_header=True)
        return found

    @staticmethod
    def _read_scan(sheet: str, column: dict[str, Any], extent: dict[str, Any]) -> SheetScan:
        first, _ = address_rows(column.get("address", "A1"))
        values = [row[0] if row else None for row in column.get("values") or []]
        header = first == 1 and bool(values) and values[0] not in (None, "")
        keys = [ro_key(v) for offset, v in enumerate(values) if first + offset >= 2]
        column_last = first + len(values) - 1 if values else 0
        _, sheet_last = address_rows(extent.get("address", "A1"))
        last = max(column_last if any(v not in (None, "") for v in values) else 0, sheet_last)
        if not header and last <= 1 and not any(k for k in keys):
            last = 0  # usedRange of an empty sheet is A1
        return SheetScan(sheet, keys, first_row=max(first, 2), last_row=last, has_header=header)

    def _add_sheets(self, sheets: list[str]) -> None:
        ops = []
        for sheet in sheets:
            ops.append(GraphOp("POST", f"{self.base}/worksheets/add", {"name": sheet}))
            ops.extend(self._write_ops(RowBlock(sheet, 1, [list(HEADERS)], data_rows=0)))
        self.session.run(ops)

    # ---- writing -------------------------------------------------------------------------
    def apply(self, plan: WritePlan, on_rows: RowsDone | None = None) -> None:
        ops: list[GraphOp] = []
        for span in plan.deletes:
            ops.append(
                GraphOp(
                    "POST",
                    f"{self._sheet_url(span.sheet)}/range(address='{span.first}:{span.last}')"
                    "/delete",
                    {"shift": "Up"},
                )
            )
        for block in plan.writes:
            ops.extend(self._write_ops(block))
        for span in plan.clears:
            ops.append(
                GraphOp(
                    "POST",
                    f"{self._sheet_url(span.sheet)}/range(address='{span.first}:{span.last}')"
                    "/clear",
                    {"applyTo": "Contents"},
                )
            )
        done: Callable[[GraphOp], None] | None = (
            (lambda op: on_rows(op.rows) if op.rows else None) if on_rows else None
        )
        self.session.run(ops, done)

    def _write_ops(self, block: RowBlock) -> list[GraphOp]:
        """PATCHes for a block, each under the session's current payload budget."""
        budget = self.session.max_payload_bytes
        ops: list[GraphOp] = []
        start, size = 0, 0
        cells = [[graph_cell(v) for v in _padded(row)] for row in block.rows]
        for index, row in enumerate(cells):
            row_size = len(json.dumps(row)) + 1
            if index > start and size + row_size > budget:
                ops.append(self._patch(block, cells, start, index))
                start, size = index, 0
            size += row_size
        if cells:
            ops.append(self._patch(block, cells, start, len(cells)))
        return ops

    def _patch(self, block: RowBlock, cells: list[list[Any]], start: int, end: int) -> GraphOp:
        first = block.first_row + start
        last = block.first_row + end - 1

        def split() -> list[GraphOp]:
            if end - start < 2:
                return []
            middle = (start + end) // 2
            return [
                self._patch(block, cells, start, middle),
                self._patch(block, cells, middle, end),
            ]

        return GraphOp(
            "PATCH",
            f"{self._sheet_url(block.sheet)}/range(address='A{first}:{LAST_COLUMN}{last}')"
            "?$select=address",
            {"values": cells[start:end]},
            split=split,
            rows=_ro_rows_in(block, start, end),
        )


def _padded(row: list[Cell]) -> list[Cell]:
    return list(row[:WIDTH]) + [None] * (WIDTH - len(row))


def _ro_rows_in(block: RowBlock, start: int, end: int) -> int:
    """RO rows of a block that begins with `len(rows) - data_rows` non-RO rows (the header)."""
    skipped = len(block.rows) - block.ro_rows
    return max(0, end - max(start, skipped))


class GraphWorkbook:
    """A WorkbookWriter over a Graph workbook (`/drives/{d}/items/{i}` or
    `/sites/{s}/drive/items/{i}`). `lock()` is held for the whole session."""

    def __init__(
        self,
        *,
        base_url: str,
        item_path: str,
        tokens: TokenProvider,
        lock: Callable[[], AbstractContextManager[None]],
        transport: httpx.BaseTransport | None = None,
        ca_bundle: Path | str | None = None,
        max_payload_bytes: int = 1_000_000,
        sleep: Callable[[float], None] | None = None,
    ):
        self.base_url = base_url
        self.item_path = "/" + item_path.strip("/")
        self.target = "graph:" + self.item_path.strip("/")
        self.tokens = tokens
        self.lock = lock
        self.transport = transport
        self.ca_bundle = ca_bundle
        self.max_payload_bytes = max_payload_bytes
        self.sleep = sleep
        self.last_requests = 0  # HTTP requests of the last session, for reports and benchmarks

    def client(self) -> GraphClient:
        return GraphClient(
            self.base_url, self.tokens, transport=self.transport, verify=tls_verify(self.ca_bundle)
        )

    @contextmanager
    def open(self) -> Iterator[GraphSheets]:
        with self.lock():
            client = self.client()
            extra = {"sleep": self.sleep} if self.sleep is not None else {}
            session = WorkbookSession(
                client,
                f"{self.item_path}/workbook",
                max_payload_bytes=self.max_payload_bytes,
                **extra,
            )
            try:
                session.start()
                yield GraphSheets(session)
            finally:
                session.close()
                self.last_requests = client.requests
                client.close()

    def download(self) -> bytes:
        """The workbook file itself (for importing it)."""
        client = self.client()
        try:
            response = client.send("GET", f"{self.item_path}/content", follow_redirects=True)
            if response.status_code != 200:
                from integrations.errors import GraphRequestError

                raise GraphRequestError(
                    f"Could not download the workbook ({response.status_code}).",
                    status=response.status_code,
                )
            return response.content
        finally:
            client.close()
