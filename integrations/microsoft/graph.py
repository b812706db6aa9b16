"""Microsoft Graph over HTTP: a bearer-token client and what an answer asks for.

    GraphClient   one HTTP request with a bearer token (a 401 refreshes the token once, then
                  `GraphAuthError`); the transport is injectable (tests, proxies)
    classify()    what a response asks for: ok, wait (429/503 + Retry-After), a new workbook
                  session (404 invalidSessionReCreatable, 502/503 in a session), smaller
                  payloads (payloadTooLarge, rangeExceedsLimit), or a permanent error

Used by the Excel workbook (integrations/excel), mail (integrations/mail) and sign-in.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol

import httpx

from integrations.errors import GraphAuthError

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO; Graph's download links and upload-session URLs
# are bearer links (whoever has one reads or writes the file), so they must not reach a log
# that runs at INFO (a `gt worker`'s does).
logging.getLogger("httpx").setLevel(logging.WARNING)

THROTTLE_CODES = {
    "toomanyrequests",
    "serviceunavailable",
    "gatewaytimeout",
    "transientfailure",
    "accessconflict",  # someone else is editing: wait and try again
    "activitylimitreached",
}
TOO_LARGE_CODES = {"payloadtoolarge", "rangeexceedslimit", "requestentitytoolarge"}


def tls_verify(ca_bundle: Path | str | None) -> bool | ssl.SSLContext:
    """httpx's `verify` for Microsoft's hosts: the system's CAs, or `GT_GRAPH_CA_BUNDLE` (a
    TLS-inspecting proxy's CA; the tests' fakes) when one is configured."""
    return ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else True


class TokenProvider(Protocol):
    def token(self) -> str: ...

    def invalidate(self) -> None: ...


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok, wait, session, session_lost, too_large, missing, fatal
    status: int
    code: str = ""
    message: str = ""
    wait_s: float | None = None


def _error_codes(body: Any) -> tuple[list[str], str]:
    """All codes of an error body (outer and nested innerError), and its message."""
    codes: list[str] = []
    message = ""
    node = body.get("error") if isinstance(body, dict) else None
    while isinstance(node, dict):
        if node.get("code"):
            codes.append(str(node["code"]))
        message = message or str(node.get("message") or "")
        node = node.get("innerError") or node.get("innererror")
    return codes, message


def retry_after_s(headers: Mapping[str, str] | None) -> float | None:
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def classify(
    status: int, body: Any, headers: Mapping[str, str] | None, *, in_session: bool
) -> Outcome:
    if 200 <= status < 300:
        return Outcome("ok", status)
    codes, message = _error_codes(body)
    lowered = [c.lower() for c in codes]
    code = codes[-1] if codes else ""
    wait = retry_after_s(headers)
    if "invalidsessionrecreatable" in lowered:
        return Outcome("session", status, code, message, wait)
    if any(c.startswith("invalidsession") for c in lowered):
        return Outcome("session_lost", status, code, message)
    if status == 413 or TOO_LARGE_CODES & set(lowered):
        return Outcome("too_large", status, code, message)
    if status in (502, 503, 504):
        # A persistent session that saw a 502/503 may be gone: make a new one and resume.
        return Outcome("session" if in_session else "wait", status, code, message, wait)
    if status == 429 or (THROTTLE_CODES & set(lowered) and status != 400):
        return Outcome("wait", status, code, message, wait)
    if status == 404 and (not lowered or "itemnotfound" in lowered):
        return Outcome("missing", status, code, message)
    # invalidArgument, itemNotFound, generalException (500) and other 4xx: resending won't help.
    return Outcome("fatal", status, code, message)


class GraphClient:
    """HTTP with a bearer token. `transport` is injectable (tests, proxies); counts requests."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenProvider,
        *,
        transport: httpx.BaseTransport | None = None,
        verify: bool | ssl.SSLContext = True,
        timeout_s: float = 60.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.http = httpx.Client(transport=transport, verify=verify, timeout=timeout_s)
        self.requests = 0

    def send(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = False,
    ) -> httpx.Response:
        for attempt in (1, 2):
            all_headers = {"Authorization": f"Bearer {self.tokens.token()}", **(headers or {})}
            self.requests += 1
            response = self.http.request(
                method,
                self.base_url + url,
                json=json_body,
                headers=all_headers,
                follow_redirects=follow_redirects,
            )
            if response.status_code != 401 or attempt == 2:
                break
            self.tokens.invalidate()  # expired or revoked: one fresh token, then give up
        if response.status_code == 401:
            raise GraphAuthError("Graph refused the token (401); check the app's permissions.")
        return response

    def close(self) -> None:
        self.http.close()


def response_json(response: httpx.Response) -> Any:
    """The JSON body of a Graph answer, or None (empty or not JSON)."""
    try:
        return response.json() if response.content else None
    except ValueError:
        return None
