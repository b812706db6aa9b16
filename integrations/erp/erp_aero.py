"""ERP.aero (REFERENCE §4): sign in with form fields, list repair orders newest-modified first,
read one's details. The token is kept until its expiry and renewed once on a 401.

    POST {base}/auth/signin   form cid, email, password, type=user, source -> {res:1, data:{token}}
    GET  {base}/repair_order/list?order=modified_time&direction=desc&page_size=N&page=P
    GET  {base}/repair_order/details?po_id=ID

`changed_since(since)` reads pages until one ends before `since` (the incremental cursor, less
its overlap), so a run costs the changed records, not the whole list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from integrations.erp.errors import SourceAuthError, SourceRequestError
from integrations.erp.http import HttpPolicy, SourceHttp
from integrations.erp.transformer import parse_timestamp

DEFAULT_SOURCE = "genthrust-ro-tracker"
DEFAULT_TOKEN_S = 3600.0
EXPIRY_MARGIN_S = 30.0
MAX_PAGES = 10_000


@dataclass(frozen=True)
class Listed:
    """One row of the list: enough to decide whether its details are worth a request."""

    po_id: str | None
    modified_at: datetime | None
    raw: dict[str, Any]


class ErpAeroClient:
    def __init__(
        self,
        base_url: str,
        credentials: dict[str, str],
        policy: HttpPolicy,
        *,
        page_size: int = 100,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.http = SourceHttp(base_url, policy, transport=transport, sleep=sleep, name="ERP.aero")
        self.credentials = credentials
        self.page_size = page_size
        self.clock = clock
        self.token: str | None = None
        self.token_expires = 0.0

    @property
    def requests(self) -> int:
        return self.http.requests

    def close(self) -> None:
        self.http.close()

    # ---- sign-in -------------------------------------------------------------------------
    def sign_in(self) -> None:
        form = {
            "cid": self.credentials.get("cid", ""),
            "email": self.credentials.get("email", ""),
            "password": self.credentials.get("password", ""),
            "type": "user",
            "source": self.credentials.get("source") or DEFAULT_SOURCE,
        }
        response = self.http.request("POST", "/auth/signin", data=form)
        body = _json(response)
        data = body.get("data") if isinstance(body, dict) else None
        token = data.get("token") if isinstance(data, dict) else None
        if response.status_code in (401, 403) or not token or body.get("res") != 1:
            # The source's message may echo what was sent: say only what happened.
            raise SourceAuthError(
                f"ERP.aero refused the sign-in for {form['email']} (cid {form['cid']}, "
                f"HTTP {response.status_code}); check the source's credentials."
            )
        lifetime = _number(data.get("expires_in")) or DEFAULT_TOKEN_S
        self.token = str(token)
        self.token_expires = self.clock() + lifetime - EXPIRY_MARGIN_S

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        if self.token is None or self.clock() >= self.token_expires:
            self.sign_in()
        for renewed in (False, True):
            response = self.http.request(
                "GET", path, params=params, headers={"Authorization": f"Bearer {self.token}"}
            )
            if response.status_code != 401:
                break
            if renewed:
                raise SourceAuthError("ERP.aero refused a fresh token (HTTP 401) on " + path)
            self.sign_in()  # expired or revoked early: once
        if response.status_code >= 400:
            raise SourceRequestError(
                f"ERP.aero answered HTTP {response.status_code} on {path}", response.status_code
            )
        body = _json(response)
        if not isinstance(body, dict) or body.get("res") != 1:
            raise SourceRequestError(f"ERP.aero sent an unexpected answer on {path}")
        return body.get("data")

    # ---- reading -------------------------------------------------------------------------
    def page(self, number: int) -> list[dict[str, Any]]:
        data = self._get(
            "/repair_order/list",
            {
                "order": "modified_time",
                "direction": "desc",
                "page_size": self.page_size,
                "page": number,
            },
        )
        rows = data.get("list", data.get("items")) if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise SourceRequestError("ERP.aero's list has no rows where they should be")
        return [r for r in rows if isinstance(r, dict)]

    def changed_since(self, since: datetime | None) -> Iterator[Listed]:
        """Rows modified at or after `since` (every row when None), newest first."""
        for number in range(1, MAX_PAGES + 1):
            rows = self.page(number)
            older = False
            for row in rows:
                po_id = row.get("po_id", row.get("id"))
                modified = parse_timestamp(row.get("modified_time"))
                if since is not None and modified is not None and modified < since:
                    older = True
                    continue
                yield Listed(str(po_id) if po_id not in (None, "") else None, modified, row)
            if older or len(rows) < self.page_size:
                return

    def details(self, po_id: str) -> dict[str, Any]:
        data = self._get("/repair_order/details", {"po_id": po_id})
        if not isinstance(data, dict):
            raise SourceRequestError(f"ERP.aero sent no details for po_id {po_id}")
        return data

    def check(self) -> str:
        """Sign in and read the first page: what `gt sources test` reports."""
        self.sign_in()
        rows = self.page(1)
        return f"signed in; the first page has {len(rows)} repair orders"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
