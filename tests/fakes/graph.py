"""A fake Microsoft Graph workbook (and Entra token endpoint) on 127.0.0.1, over TLS.

Backed by a real openpyxl workbook, saved to `path` on `save()`, so tests open the result and
check it cell by cell. Implements what the sync uses (REFERENCE §5): createSession /
refreshSession / closeSession, worksheets (list, add), usedRange(valuesOnly=true) of a sheet or
of a range, range GET/PATCH, range delete (shift up) and clear, `$batch` (sequential, with
`dependsOn` -> 424 after a failure), item content download; and for msal: the tenant's
openid-configuration and the token endpoint (client credentials, refresh token).

Faults to inject: `inject(status, code, retry_after=..., times=..., when=..., in_batch=...)`
(429/503 with Retry-After, also inside $batch sub-responses), `expire_sessions()` (404
invalidSessionReCreatable), `max_payload_bytes` (413 payloadTooLarge above it), `latency_s`.
Counts: `requests` (top-level HTTP requests), `sub_requests` (inside $batch).
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string

from tests.fakes.tls import TlsServer

HEADERS = [
    "RO #", "DATE MADE", "SHOP NAME", "PART #", "SERIAL #", "PART DESCRIPTION", "REQ WORK",
    "DATE DROPPED OFF", "ESTIMATED COST", "FINAL COST", "TERMS", "SHOP REF #",
    "ESTIMATED DELIVERY DATE", "CURENT STATUS", "CURENT STATUS DATE", "GENTHRUST STATUS",
    "SHOP STATUS", "TRACKING NUMBER / PICKING UP", "NOTES", "LAST DATE UPDATED",
    "NEXT DATE TO UPDATE",
]  # fmt: skip
WORKBOOK = re.compile(
    r"^/v1\.0/(?:drives/(?P<drive>[^/]+)|sites/(?P<site>[^/]+)/drive)/items/(?P<item>[^/]+)"
    r"(?P<rest>/.*)?$"
)
RANGE = re.compile(
    r"^/worksheets/(?P<sheet>[^/]+)/range\(address='(?P<address>[^']*)'\)(?P<op>.*)$"
)
SHEET_OP = re.compile(r"^/worksheets/(?P<sheet>[^/(]+)(?P<op>/usedRange.*)$")
Reply = tuple[int, Any, dict[str, str]]


def error(status: int, code: str, message: str = "", headers: dict | None = None) -> Reply:
    body = {"error": {"code": code, "message": message or code, "innerError": {"code": code}}}
    return status, body, headers or {}


@dataclass
class Fault:
    status: int
    code: str
    retry_after: float | None
    times: int
    when: Callable[[str, str], bool]
    in_batch: bool | None
    hits: int = 0


def parse_address(address: str) -> tuple[int | None, int | None, int | None, int | None]:
    """(min_col, min_row, max_col, max_row) of "A2:U9", "A:A", "5:7", "B3"; None = open."""
    address = address.split("!")[-1].replace("$", "")
    parts = address.split(":")
    cells = []
    for part in parts:
        match = re.fullmatch(r"([A-Z]*)(\d*)", part.upper())
        col = column_index_from_string(match.group(1)) if match.group(1) else None
        row = int(match.group(2)) if match.group(2) else None
        cells.append((col, row))
    if len(cells) == 1:
        cells.append(cells[0])
    (c1, r1), (c2, r2) = cells
    return c1, r1, c2, r2


class FakeGraph:
    def __init__(
        self,
        path: Path,
        *,
        tenant: str = "tenant-1",
        client_id: str = "client-1",
        client_secret: str = "s3cret",
        latency_s: float = 0.0,
        max_payload_bytes: int | None = None,
        book: Workbook | None = None,
    ):
        self.path = Path(path)
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.latency_s = latency_s
        self.max_payload_bytes = max_payload_bytes
        self.book = book or self.new_book()
        self.lock = threading.RLock()
        self.sessions: dict[str, str] = {}  # id -> "active" | "expired" | "closed"
        self.requests: list[tuple[str, str]] = []
        self.sub_requests: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        self.tokens: set[str] = {"test-token"}
        self.refresh_tokens: set[str] = set()
        self.token_requests: list[dict[str, str]] = []
        self._tls: TlsServer | None = None
        self.ca_file: Path | None = None

    # ---- test API ----------------------------------------------------------------------------
    @staticmethod
    def new_book(sheets: tuple[str, ...] = ("Active", "Net", "Paid", "Returns")) -> Workbook:
        book = Workbook()
        book.remove(book.active)
        for name in sheets:
            sheet = book.create_sheet(name)
            sheet.append(HEADERS)
        return book

    def inject(
        self,
        status: int,
        code: str,
        *,
        retry_after: float | None = None,
        times: int = 1,
        when: Callable[[str, str], bool] = lambda method, path: True,
        in_batch: bool | None = None,
    ) -> Fault:
        fault = Fault(status, code, retry_after, times, when, in_batch)
        self.faults.append(fault)
        return fault

    def expire_sessions(self) -> None:
        with self.lock:
            for sid, state in self.sessions.items():
                if state == "active":
                    self.sessions[sid] = "expired"

    def count(self, method: str | None = None, contains: str = "", *, batched: bool = False) -> int:
        source = self.sub_requests if batched else self.requests
        return sum(1 for m, p in source if (method is None or m == method) and contains in p)

    def reset_counts(self) -> None:
        self.requests.clear()
        self.sub_requests.clear()

    def save(self) -> Path:
        with self.lock:
            self.book.save(self.path)
        return self.path

    def saved_book(self) -> Workbook:
        return load_workbook(self.save())

    @property
    def base_url(self) -> str:
        assert self._tls is not None, "start() the fake first"
        return f"https://127.0.0.1:{self._tls.port}"

    @property
    def graph_url(self) -> str:
        return self.base_url + "/v1.0"

    def start(self) -> FakeGraph:
        self._tls = TlsServer(self.path.parent / "tls", self.serve).start()
        self.ca_file = self._tls.ca_file
        return self

    def stop(self) -> None:
        self._tls.stop()

    # ---- dispatch ----------------------------------------------------------------------------
    def serve(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes) -> Reply:
        if self.latency_s:
            time.sleep(self.latency_s)
        parts = urlsplit(raw_path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        headers = {k.lower(): v for k, v in headers.items()}
        if path.startswith(f"/{self.tenant}/"):
            return self._identity(method, path, raw)
        self.requests.append((method, path))
        if not self._authorized(headers):
            return error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if self.max_payload_bytes is not None and len(raw) > self.max_payload_bytes:
            return error(413, "payloadTooLarge", "Request payload too large.")
        fault = self._fault(method, path, batched=False)
        if fault:
            return fault
        body = json.loads(raw) if raw else None
        if path == "/v1.0/$batch":
            return self._batch(body or {})
        return self._workbook(method, path, query, headers, body)

    def _authorized(self, headers: dict[str, str]) -> bool:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        return token in self.tokens

    def _fault(self, method: str, path: str, *, batched: bool) -> Reply | None:
        with self.lock:
            for fault in self.faults:
                if fault.hits >= fault.times:
                    continue
                if fault.in_batch is not None and fault.in_batch != batched:
                    continue
                if not fault.when(method, path):
                    continue
                fault.hits += 1
                extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after else {}
                return error(fault.status, fault.code, headers=extra)
        return None

    def _batch(self, body: dict[str, Any]) -> Reply:
        requests = body.get("requests") or []
        if len(requests) > 20:
            return error(400, "invalidRequest", "At most 20 requests per batch.")
        responses, failed = [], set()
        for sub in requests:
            sid, method, url = str(sub["id"]), sub["method"].upper(), sub["url"]
            depends = [str(d) for d in sub.get("dependsOn") or []]
            if any(d in failed for d in depends):
                failed.add(sid)
                responses.append(
                    {"id": sid, "status": 424, "body": error(424, "failedDependency")[1]}
                )
                continue
            parts = urlsplit(url)
            path = "/v1.0" + unquote(parts.path)
            self.sub_requests.append((method, path))
            sub_body = sub.get("body")
            headers = {k.lower(): v for k, v in (sub.get("headers") or {}).items()}
            size = len(json.dumps(sub_body)) if sub_body is not None else 0
            if self.max_payload_bytes is not None and size > self.max_payload_bytes:
                status, reply, extra = error(413, "payloadTooLarge")
            else:
                fault = self._fault(method, path, batched=True)
                status, reply, extra = fault or self._workbook(
                    method, path, parse_qs(parts.query), headers, sub_body
                )
            if not 200 <= status < 300:
                failed.add(sid)
            responses.append({"id": sid, "status": status, "headers": extra, "body": reply})
        return 200, {"responses": responses}, {}

    # ---- identity (msal) -----------------------------------------------------------------
    def _identity(self, method: str, path: str, raw: bytes) -> Reply:
        base = f"{self.base_url}/{self.tenant}"
        if path.endswith("/.well-known/openid-configuration"):
            return (
                200,
                {
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "issuer": f"{base}/v2.0",
                    "jwks_uri": f"{base}/discovery/v2.0/keys",
                },
                {},
            )
        if path.endswith("/oauth2/v2.0/token") and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            self.token_requests.append(form)
            if form.get("client_id") != self.client_id or form.get("client_secret") != (
                self.client_secret
            ):
                return 401, {"error": "invalid_client", "error_description": "AADSTS7000215"}, {}
            grant = form.get("grant_type")
            if grant == "refresh_token" and form.get("refresh_token") not in self.refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "AADSTS70000"}, {}
            if grant not in ("client_credentials", "refresh_token"):
                return 400, {"error": "unsupported_grant_type"}, {}
            token = "at-" + uuid.uuid4().hex
            self.tokens.add(token)
            reply = {"token_type": "Bearer", "expires_in": 3600, "access_token": token}
            if grant == "refresh_token":
                self.refresh_tokens.discard(form["refresh_token"])
                new = "rt-" + uuid.uuid4().hex
                self.refresh_tokens.add(new)
                reply["refresh_token"] = new
                reply["scope"] = form.get("scope", "")
            return 200, reply, {}
        return 404, {"error": "not_found"}, {}

    # ---- the workbook ----------------------------------------------------------------------
    def _workbook(self, method, path, query, headers, body) -> Reply:
        match = WORKBOOK.match(path)
        if not match:
            return error(404, "itemNotFound", f"No route {path}")
        rest = match.group("rest") or ""
        if rest == "/content" and method == "GET":
            with self.lock:
                buffer = io.BytesIO()
                self.book.save(buffer)
            return 200, buffer.getvalue(), {}
        if not rest.startswith("/workbook"):
            return error(404, "itemNotFound")
        rest = rest.removeprefix("/workbook")
        with self.lock:
            if rest == "/createSession" and method == "POST":
                sid = uuid.uuid4().hex
                self.sessions[sid] = "active"
                return 201, {"id": sid, "persistChanges": True}, {}
            sid = headers.get("workbook-session-id")
            if sid is not None and self.sessions.get(sid) != "active":
                return error(404, "invalidSessionReCreatable", "The session expired.")
            if rest == "/refreshSession" and method == "POST":
                return 204, None, {}
            if rest == "/closeSession" and method == "POST":
                if sid:
                    self.sessions[sid] = "closed"
                return 204, None, {}
            return self._sheets(method, rest, query, body)

    def _sheets(self, method, rest, query, body) -> Reply:
        select = (query.get("$select") or [""])[0].split(",") if query.get("$select") else None
        if rest == "/worksheets" and method == "GET":
            return 200, {"value": [{"name": n} for n in self.book.sheetnames]}, {}
        if rest == "/worksheets/add" and method == "POST":
            name = (body or {}).get("name")
            if name in self.book.sheetnames:
                return error(400, "itemAlreadyExists")
            self.book.create_sheet(name)
            return 201, {"name": name}, {}
        match = RANGE.match(rest) or SHEET_OP.match(rest)
        if not match:
            return error(400, "invalidArgument", f"Unsupported {rest}")
        sheet_name = match.group("sheet")
        if sheet_name not in self.book.sheetnames:
            return error(404, "itemNotFound", f"No worksheet {sheet_name}")
        sheet = self.book[sheet_name]
        address = match.groupdict().get("address")
        op = match.group("op")
        if op.startswith("/usedRange"):
            reply = self._used(sheet, address)
        elif op == "" and method == "GET":
            reply = self._get(sheet, address)
        elif op == "" and method == "PATCH":
            result = self._patch(sheet, address, (body or {}).get("values"))
            if isinstance(result, tuple):
                return result
            reply = result
        elif op == "/delete" and method == "POST":
            c1, r1, c2, r2 = parse_address(address)
            sheet.delete_rows(r1, r2 - r1 + 1)
            return 204, None, {}
        elif op == "/clear" and method == "POST":
            c1, r1, c2, r2 = parse_address(address)
            for (row, col), cell in list(sheet._cells.items()):
                if r1 <= row <= r2 and (c1 or 1) <= col <= (c2 or 16384):
                    cell.value = None
            return 204, None, {}
        else:
            return error(400, "invalidArgument", f"Unsupported {method} {op}")
        if select:
            reply = {k: v for k, v in reply.items() if k in select}
        return 200, reply, {}

    @staticmethod
    def _values(sheet, r1: int, r2: int, c1: int, c2: int) -> list[list[Any]]:
        rows = []
        for r in range(r1, r2 + 1):
            row = []
            for c in range(c1, c2 + 1):
                cell = sheet._cells.get((r, c))
                value = cell.value if cell is not None else None
                row.append("" if value is None else value)
            rows.append(row)
        return rows

    def _used(self, sheet, address: str | None) -> dict[str, Any]:
        c_lo, r_lo, c_hi, r_hi = parse_address(address) if address else (None, None, None, None)
        used = [
            (r, c)
            for (r, c), cell in sheet._cells.items()
            if cell.value is not None
            and (c_lo is None or c_lo <= c <= c_hi)
            and (r_lo is None or r_lo <= r <= r_hi)
        ]
        if not used:
            col = get_column_letter(c_lo or 1)
            return {"address": f"{sheet.title}!{col}1", "values": [[""]], "rowCount": 1}
        r1, r2 = min(r for r, _ in used), max(r for r, _ in used)
        c1, c2 = min(c for _, c in used), max(c for _, c in used)
        return {
            "address": f"{sheet.title}!{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}",
            "values": self._values(sheet, r1, r2, c1, c2),
            "rowCount": r2 - r1 + 1,
        }

    def _get(self, sheet, address: str) -> dict[str, Any]:
        c1, r1, c2, r2 = parse_address(address)
        return {
            "address": f"{sheet.title}!{address}",
            "values": self._values(sheet, r1, r2, c1, c2),
        }

    def _patch(self, sheet, address: str, values: Any) -> dict[str, Any] | Reply:
        c1, r1, c2, r2 = parse_address(address)
        if (
            not isinstance(values, list)
            or len(values) != r2 - r1 + 1
            or any(not isinstance(row, list) or len(row) != c2 - c1 + 1 for row in values)
        ):
            return error(400, "invalidArgument", "The values do not match the range's size.")
        for offset, row in enumerate(values):
            for col_offset, value in enumerate(row):
                if value is None:
                    continue  # null leaves the cell as it is
                if isinstance(value, str) and value.startswith("'"):
                    value = value[1:]  # a typed apostrophe: text, not shown
                elif value == "":
                    value = None
                sheet.cell(r1 + offset, c1 + col_offset).value = value
        return {"address": f"{sheet.title}!{address}", "values": values}
