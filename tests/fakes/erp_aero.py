"""A fake ERP.aero on 127.0.0.1 (plain HTTP, loopback only), speaking REFERENCE §4:

    POST /v1/auth/signin          form cid, email, password, type, source -> {res, data:{token}}
    GET  /v1/repair_order/list    order=modified_time&direction=desc&page_size&page (Bearer)
    GET  /v1/repair_order/details po_id (Bearer)

Records are dicts in ERP.aero's shape (`record(...)` builds one); the list is derived from them,
newest modified first. Knobs: `token_lifetime_s`, `revoke_tokens()` (the next call gets 401),
`inject(status, times, retry_after=, path=)` (429/5xx bursts), `latency_s`, `page_overlap`
(each page repeats the previous page's last rows, as a list shifting under a reader does).
It also serves a shop portal's export for the `feed` connector: `feed_rows` at
/portal/export.json and /portal/export.csv (Bearer `feed_token` when set).
What it saw: `log` of (monotonic time, method, path) for every request — the tests measure the
client's rate limit from these timestamps — and `signins`.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CID, EMAIL, PASSWORD = "GENTHRUST_TEST", "desk@genthrust.test", "s3cret-pw"


def record(
    po_id: int,
    *,
    po_no: str | None = None,
    modified: str = "2026-11-19 10:00:00",
    status: str = "IN PROGRESS",
    vendor: str = "Avtech Hydraulics",
    part: str = "066-50008",
    serial: str = "SN1001",
    price: Any = "1250.00",
    created: str = "2026-11-01 09:00:00",
    leadtime: Any = 14,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "po_id": po_id,
        "po_no": po_no if po_no is not None else f"RO{po_id}",
        "modified_time": modified,
        "status": status,
        "vendor": {"vendorname": vendor, "vendor_id": 7},
        "parts": [
            {
                "product": {"name": part, "description": "HYDRAULIC PUMP"},
                "tags": {"sn": serial},
                "unit_price": price,
            }
        ],
        "term_sale": "NET 30",
        "ship_via": "FEDEX 7788",
        "created": created,
        "leadtime": leadtime,
        **extra,
    }


@dataclass
class Fault:
    status: int
    times: int
    retry_after: str | None
    path: str


class FakeErpAero:
    def __init__(self, *, latency_s: float = 0.0, token_lifetime_s: float = 3600):
        self.records: dict[str, dict[str, Any]] = {}
        self.latency_s = latency_s
        self.token_lifetime_s = token_lifetime_s
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.faults: list[Fault] = []
        self.page_overlap = 0
        self.feed_rows: list[dict[str, Any]] = []
        self.feed_token = ""
        self.log: list[tuple[float, str, str]] = []
        self.signins = 0
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # ---- setup -----------------------------------------------------------------------------
    def add(self, *records: dict[str, Any]) -> None:
        for r in records:
            self.records[str(r.get("po_id"))] = r

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def inject(self, status: int, times: int = 1, retry_after: str | None = None, path: str = "/"):
        self.faults.append(Fault(status, times, retry_after, path))

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def paths(self) -> list[str]:
        return [p for _t, _m, p in self.log]

    def start(self) -> FakeErpAero:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._reply(fake.serve("GET", self.path, dict(self.headers), b""))

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                self._reply(
                    fake.serve("POST", self.path, dict(self.headers), self.rfile.read(size))
                )

            def _reply(self, reply: tuple[int, Any, dict[str, str]]) -> None:
                status, body, headers = reply
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                if "Content-Type" not in headers:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # ---- the API -----------------------------------------------------------------------------
    def serve(self, method: str, target: str, headers: dict[str, str], raw: bytes):
        parts = urlsplit(target)
        path = parts.path
        with self.lock:
            self.log.append((time.monotonic(), method, path))
            fault = next((f for f in self.faults if f.times > 0 and path.startswith(f.path)), None)
            if fault is not None:
                fault.times -= 1
        if self.latency_s:
            time.sleep(self.latency_s)
        if fault is not None:
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return fault.status, {"res": 0, "error": "fault"}, extra
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if method == "GET" and path.startswith("/portal/export."):
            return self._feed(path, headers)
        if method == "POST" and path == "/v1/auth/signin":
            return self._signin({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
        token = headers.get("Authorization", headers.get("authorization", ""))
        token = token.removeprefix("Bearer ").strip()
        expiry = self.tokens.get(token)
        if expiry is None or expiry < time.monotonic():
            return 401, {"res": 0, "error": "token expired"}, {}
        if method == "GET" and path == "/v1/repair_order/list":
            return self._list(query)
        if method == "GET" and path == "/v1/repair_order/details":
            found = self.records.get(query.get("po_id", ""))
            if found is None:
                return 404, {"res": 0, "error": "not found"}, {}
            return 200, {"res": 1, "data": found}, {}
        return 404, {"res": 0, "error": "no such endpoint"}, {}

    def _feed(self, path: str, headers: dict[str, str]):
        given = headers.get("Authorization", headers.get("authorization", ""))
        if self.feed_token and given != f"Bearer {self.feed_token}":
            return 401, {"error": "token"}, {}
        if path.endswith(".csv"):
            out = io.StringIO()
            columns = sorted({k for row in self.feed_rows for k in row})
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            writer.writerows(self.feed_rows)
            return 200, out.getvalue(), {"Content-Type": "text/csv"}
        return 200, {"items": self.feed_rows}, {}

    def _signin(self, form: dict[str, str]):
        with self.lock:
            self.signins += 1
        if (form.get("cid"), form.get("email"), form.get("password")) != (CID, EMAIL, PASSWORD):
            return 200, {"res": 0, "error": f"Wrong password for {form.get('email')}"}, {}
        if form.get("type") != "user" or not form.get("source"):
            return 400, {"res": 0, "error": "type and source are required"}, {}
        token = secrets.token_hex(16)
        self.tokens[token] = time.monotonic() + self.token_lifetime_s
        return 200, {"res": 1, "data": {"token": token, "expires_in": self.token_lifetime_s}}, {}

    def _list(self, query: dict[str, str]):
        size = int(query.get("page_size", 20))
        page = int(query.get("page", 1))
        rows = sorted(
            self.records.values(), key=lambda r: str(r.get("modified_time")), reverse=True
        )
        start = max(0, (page - 1) * size - (self.page_overlap if page > 1 else 0))
        chunk = rows[start : start + size]
        listed = [
            {k: r.get(k) for k in ("po_id", "po_no", "modified_time", "status") if k in r}
            for r in chunk
        ]
        return 200, {"res": 1, "data": {"list": listed, "total": len(rows)}}, {}
