"""A CSV or JSON feed over HTTPS (a shop portal's export, say): one GET of the source's URL, rows
mapped by the source's field mapping. It shares the HTTP client (rate limit, retries, circuit)
and the sync of the ERP connector; the registry makes it a second type, `feed`.

The mapping names the feed's columns: `id`, `number` and `modified` (the row's modified time:
the conflict rule and the cursor need it) are required, `status` is optional, and any RO field
(`shop_name`, `part_number`, `serial_number`, `estimated_cost`, `tracking_number`, ...) may be
given:

    {"id": "order_id", "number": "ro", "modified": "updated", "status": "state",
     "shop_name": "vendor", "tracking_number": "awb"}

An optional `token` credential is sent as a Bearer token.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import httpx

from domain.source_records import Incoming, Skip
from domain.statuses import try_parse_status
from integrations.erp.erp_aero import Listed
from integrations.erp.errors import SourceAuthError, SourceRequestError
from integrations.erp.http import HttpPolicy, SourceHttp
from integrations.erp.transformer import map_status, parse_timestamp

MAX_ROWS = 100_000
REQUIRED = ("id", "number", "modified")
RESERVED = (*REQUIRED, "status")


class FeedClient:
    def __init__(
        self,
        url: str,
        credentials: dict[str, str],
        policy: HttpPolicy,
        *,
        mapping: Mapping[str, Any],
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.http = SourceHttp(url, policy, transport=transport, sleep=sleep, name="the feed")
        self.token = credentials.get("token") or ""
        self.mapping = dict(mapping)
        self.rows: dict[str, dict[str, Any]] = {}

    @property
    def requests(self) -> int:
        return self.http.requests

    def close(self) -> None:
        self.http.close()

    def fetch(self) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.request("GET", "", headers=headers)
        if response.status_code in (401, 403):
            raise SourceAuthError(f"The feed refused our token (HTTP {response.status_code}).")
        if response.status_code >= 400:
            raise SourceRequestError(f"The feed answered HTTP {response.status_code}.")
        kind = response.headers.get("Content-Type", "")
        if "csv" in kind or str(response.url).lower().endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(response.text)))
        else:
            try:
                body = response.json()
            except ValueError:
                raise SourceRequestError("The feed is neither JSON nor CSV.") from None
            rows = body.get("items", body.get("data")) if isinstance(body, dict) else body
            if not isinstance(rows, list):
                raise SourceRequestError("The feed's JSON has no list of rows (items, data).")
        return [r for r in rows[:MAX_ROWS] if isinstance(r, dict)]

    def changed_since(self, since: datetime | None) -> Iterator[Listed]:
        id_col, modified_col = self.mapping.get("id"), self.mapping.get("modified")
        for row in self.fetch():
            raw_id = row.get(id_col) if id_col else None
            record_id = str(raw_id).strip() if raw_id not in (None, "") else None
            modified = parse_timestamp(row.get(modified_col)) if modified_col else None
            if since is not None and modified is not None and modified < since:
                continue
            if record_id:
                self.rows[record_id] = row
            yield Listed(record_id, modified, row)

    def details(self, record_id: str) -> dict[str, Any]:
        """The row the listing read: a feed has no per-record call."""
        return self.rows[record_id]

    def check(self) -> str:
        return f"the feed has {len(self.fetch())} rows"


def transform(row: Mapping[str, Any], mapping: Mapping[str, Any] | None) -> Incoming | Skip:
    mapping = dict(mapping or {})
    missing = [k for k in REQUIRED if not mapping.get(k)]
    if missing:
        return Skip(None, "the feed's mapping needs columns for: " + ", ".join(missing))
    raw_id = row.get(mapping["id"])
    record_id = str(raw_id).strip() if raw_id not in (None, "") else None
    if not record_id:
        return Skip(None, f"no {mapping['id']}")
    number = str(row.get(mapping["number"]) or "").strip()
    if not number:
        return Skip(record_id, f"no RO number ({mapping['number']})")
    modified_raw = row.get(mapping["modified"])
    modified = parse_timestamp(modified_raw)
    if modified is None:
        return Skip(record_id, f'modified time "{str(modified_raw)[:40]}" unreadable')
    fields = {
        ours: row.get(theirs)
        for ours, theirs in mapping.items()
        if ours not in RESERVED and row.get(theirs) not in (None, "")
    }
    raw_status = str(row.get(mapping["status"]) or "").strip() if mapping.get("status") else ""
    status = (try_parse_status(raw_status) or map_status(raw_status)) if raw_status else None
    return Incoming(
        po_id=record_id,
        number=number,
        modified_at=modified,
        fields=fields,
        status=status.value if status else None,
        source_status=raw_status or None,
    )
