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

The document library (issue #15, `FakeDrive` below, reached as `drive`): folders and files by
path and by id, folder creation with conflictBehavior, simple PUT (refused above 4 MB as Graph
does), upload sessions on a pre-authenticated URL (ranges checked: contiguous, 320 KiB
multiples, `nextExpectedRanges` on 202 and on GET), content (302 to a short-lived download URL),
`@microsoft.graph.downloadUrl`, delete. `drive.fail_chunk_after_storing = n` stores the n-th
chunk PUT and then answers 500, as a connection lost after the server took the bytes.
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
        self.drive = FakeDrive(self)

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
        if path.startswith(("/upload/", "/download/")):  # pre-authenticated URLs: no token
            fault = self._fault(method, path, batched=False)
            return fault or self.drive.serve_unauthenticated(method, path, headers, raw)
        if not self._authorized(headers):
            return error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if self.max_payload_bytes is not None and len(raw) > self.max_payload_bytes:
            return error(413, "payloadTooLarge", "Request payload too large.")
        fault = self._fault(method, path, batched=False)
        if fault:
            return fault
        if self.drive.handles(path):
            return self.drive.serve(method, path, query, headers, raw)
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


# ---- the document library (issue #15) ---------------------------------------------------------
DRIVE = re.compile(r"^/v1\.0/drives/(?P<drive>[^/]+)/(?P<rest>.*)$")
SIMPLE_MAX = 4 * 1024 * 1024
UNIT = 320 * 1024


@dataclass
class DriveItem:
    id: str
    name: str
    parent: str | None
    folder: bool
    content: bytes = b""


@dataclass
class UploadSession:
    parent: str
    name: str
    conflict: str
    total: int | None = None
    received: bytearray | None = None
    expired: bool = False


class FakeDrive:
    def __init__(self, graph: FakeGraph):
        self.graph = graph
        self.items: dict[str, DriveItem] = {"root": DriveItem("root", "root", None, True)}
        self.sessions: dict[str, UploadSession] = {}
        self.downloads: dict[str, str] = {}  # token -> item id
        self.chunk_puts: list[tuple[int, int]] = []  # (start, end) of every chunk PUT received
        self.fail_chunk_after_storing: int | None = None
        self.deleted: set[str] = set()  # ids of deleted items: asking for one answers 404

    def handles(self, path: str) -> bool:
        """Drive paths, but not the workbook's item (its /content and /workbook routes)."""
        match = DRIVE.match(path)
        if not match:
            return False
        rest = match.group("rest")
        if rest.startswith("root"):
            return True
        item = re.match(r"^items/([^/:]+)", rest)
        return item is not None and (item.group(1) in self.items or item.group(1) in self.deleted)

    # ---- test API ----------------------------------------------------------------------------
    def file(self, path: str) -> DriveItem | None:
        """The file at "Repair Orders/RO-38462/name.pdf", or None."""
        item = self._by_path(path)
        return item if item is not None and not item.folder else None

    def files(self) -> list[str]:
        return sorted(self._path_of(i) for i in self.items.values() if not i.folder)

    # ---- helpers -----------------------------------------------------------------------------
    def _children(self, parent: str) -> list[DriveItem]:
        return [i for i in self.items.values() if i.parent == parent]

    def _by_path(self, path: str) -> DriveItem | None:
        node = self.items["root"]
        for part in [p for p in path.strip("/").split("/") if p]:
            found = next((c for c in self._children(node.id) if c.name == part), None)
            if found is None:
                return None
            node = found
        return node

    def _path_of(self, item: DriveItem) -> str:
        parts = []
        while item.parent is not None:
            parts.append(item.name)
            item = self.items[item.parent]
        return "/".join(reversed(parts))

    def _json(self, item: DriveItem) -> dict[str, Any]:
        body: dict[str, Any] = {"id": item.id, "name": item.name, "size": len(item.content)}
        body["folder" if item.folder else "file"] = {}
        if not item.folder:
            token = uuid.uuid4().hex
            self.downloads[token] = item.id
            body["@microsoft.graph.downloadUrl"] = f"{self.graph.base_url}/download/{token}"
        return body

    def _put_file(self, parent: str, name: str, content: bytes, conflict: str) -> Reply:
        if parent not in self.items or not self.items[parent].folder:
            return error(404, "itemNotFound", "No such folder")
        existing = next((c for c in self._children(parent) if c.name == name), None)
        if existing is not None:
            if conflict == "fail":
                return error(409, "nameAlreadyExists")
            if conflict == "rename":
                stem, dot, ext = name.rpartition(".")
                name = f"{stem or name} 1{dot}{ext}" if dot else f"{name} 1"
                existing = None
        if existing is not None:  # replace
            existing.content = bytes(content)
            return 200, self._json(existing), {}
        item = DriveItem(uuid.uuid4().hex[:16], name, parent, False, bytes(content))
        self.items[item.id] = item
        return 201, self._json(item), {}

    # ---- routes ------------------------------------------------------------------------------
    def serve(self, method, path, query, headers, raw: bytes) -> Reply:
        rest = DRIVE.match(path).group("rest")
        with self.graph.lock:
            conflict = (query.get("@microsoft.graph.conflictBehavior") or ["fail"])[0]
            if rest == "root/children" and method == "POST":
                return self._create_folder("root", json.loads(raw or b"{}"))
            if rest.startswith("root:"):
                target, _, tail = rest.removeprefix("root:").partition(":")
                item = self._by_path(target)
                if tail == "" and method == "GET":
                    return (200, self._json(item), {}) if item else error(404, "itemNotFound")
                if tail == "/children" and method == "GET":
                    if item is None:
                        return error(404, "itemNotFound")
                    return 200, {"value": [self._json(c) for c in self._children(item.id)]}, {}
                return error(400, "invalidRequest", f"Unsupported {method} {rest}")
            match = re.match(r"^items/(?P<id>[^/:]+)(?P<tail>.*)$", rest)
            if not match:
                return error(400, "invalidRequest", f"Unsupported {rest}")
            item_id, tail = match.group("id"), match.group("tail")
            if tail.startswith(":/"):
                name, _, action = tail[2:].partition(":")
                if action == "/content" and method == "PUT":
                    if len(raw) > SIMPLE_MAX:
                        return error(413, "requestEntityTooLarge", "Use an upload session.")
                    return self._put_file(item_id, name, raw, conflict if conflict else "fail")
                if action == "/createUploadSession" and method == "POST":
                    if item_id not in self.items:
                        return error(404, "itemNotFound")
                    body = json.loads(raw or b"{}").get("item") or {}
                    sid = uuid.uuid4().hex
                    behaviour = body.get("@microsoft.graph.conflictBehavior", "fail")
                    self.sessions[sid] = UploadSession(item_id, name, behaviour)
                    return 200, {"uploadUrl": f"{self.graph.base_url}/upload/{sid}"}, {}
                return error(400, "invalidRequest", f"Unsupported {method} {tail}")
            item = self.items.get(item_id)
            if item is None:
                return error(404, "itemNotFound")
            if tail == "/children" and method == "POST":
                return self._create_folder(item_id, json.loads(raw or b"{}"))
            if tail == "/children" and method == "GET":
                return 200, {"value": [self._json(c) for c in self._children(item_id)]}, {}
            if tail == "" and method == "GET":
                return 200, self._json(item), {}
            if tail == "" and method == "DELETE":
                for child in self._children(item_id):
                    self.items.pop(child.id, None)
                    self.deleted.add(child.id)
                self.items.pop(item_id)
                self.deleted.add(item_id)
                return 204, None, {}
            if tail == "/content" and method == "GET":
                url = self._json(item)["@microsoft.graph.downloadUrl"]
                return 302, None, {"Location": url}
            return error(400, "invalidRequest", f"Unsupported {method} {tail}")

    def _create_folder(self, parent: str, body: dict[str, Any]) -> Reply:
        name = body.get("name") or ""
        if not name or "folder" not in body:
            return error(400, "invalidRequest", "A folder needs a name and a folder facet.")
        existing = next((c for c in self._children(parent) if c.name == name), None)
        if existing is not None:
            if body.get("@microsoft.graph.conflictBehavior", "fail") == "fail":
                return error(409, "nameAlreadyExists", "An item with that name exists.")
            return 200, self._json(existing), {}
        item = DriveItem(uuid.uuid4().hex[:16], name, parent, True)
        self.items[item.id] = item
        return 201, self._json(item), {}

    def serve_unauthenticated(self, method, path, headers, raw: bytes) -> Reply:
        if headers.get("authorization"):
            return error(401, "invalidRequest", "The uploadUrl must be called without a token.")
        with self.graph.lock:
            if path.startswith("/download/"):
                item = self.items.get(self.downloads.get(path.removeprefix("/download/"), ""))
                return (200, item.content, {}) if item else error(404, "itemNotFound")
            session = self.sessions.get(path.removeprefix("/upload/"))
            if session is None or session.expired:
                return error(404, "itemNotFound", "The upload session expired.")
            if method == "GET":
                return 200, self._expected(session), {}
            if method == "DELETE":
                session.expired = True
                return 204, None, {}
            if method != "PUT":
                return error(400, "invalidRequest")
            found = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", headers.get("content-range", ""))
            if not found:
                return error(400, "invalidRange", "Content-Range is required.")
            start, end, total = (int(g) for g in found.groups())
            self.chunk_puts.append((start, end))
            session.total = session.total or total
            session.received = session.received or bytearray()
            if total != session.total or end - start + 1 != len(raw):
                return error(400, "invalidRange", "The range does not match the bytes sent.")
            if start != len(session.received):
                return error(416, "invalidRange", "Not the next expected range.")
            last = end + 1 == total
            if not last and (end - start + 1) % UNIT:
                return error(400, "invalidRange", "Chunks must be multiples of 320 KiB.")
            session.received.extend(raw)
            if len(self.chunk_puts) == self.fail_chunk_after_storing:
                return error(500, "generalException", "The connection was lost.")
            if last:
                session.expired = True
                return self._put_file(
                    session.parent, session.name, bytes(session.received), session.conflict
                )
            return 202, self._expected(session), {}

    @staticmethod
    def _expected(session: UploadSession) -> dict[str, Any]:
        done = len(session.received or b"")
        return {"nextExpectedRanges": [f"{done}-"], "expirationDateTime": "2099-01-01T00:00:00Z"}
