"""Microsoft Graph workbook calls (REFERENCE §5): one persistent session, sequential writes,
`$batch` of at most 20 chained sub-requests, throttling and session expiry handled.

    GraphClient      one HTTP request with a bearer token (a 401 refreshes the token once)
    classify()       what a response asks for: ok, wait (429/503 + Retry-After), a new session
                     (404 invalidSessionReCreatable, 502/503 in a session), smaller payloads
                     (payloadTooLarge, rangeExceedsLimit), or a permanent error
    WorkbookSession  createSession / refreshSession / closeSession, and `run(ops)`: sends the
                     operations in order, packed into `$batch` requests (each sub-request
                     `dependsOn` the previous, so writes to the workbook never run in parallel),
                     retrying what failed for a transient reason and splitting range writes that
                     were too large.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from jobs.excel.errors import (
    GraphAuthError,
    GraphRequestError,
    GraphSessionLost,
    GraphThrottled,
    PayloadTooLarge,
)

log = logging.getLogger(__name__)

MAX_BATCH = 20  # Graph's limit of sub-requests per $batch
THROTTLE_CODES = {
    "toomanyrequests",
    "serviceunavailable",
    "gatewaytimeout",
    "transientfailure",
    "accessconflict",  # someone else is editing: wait and try again
    "activitylimitreached",
}
TOO_LARGE_CODES = {"payloadtoolarge", "rangeexceedslimit", "requestentitytoolarge"}


class TokenProvider(Protocol):
    def token(self) -> str: ...

    def invalidate(self) -> None: ...


@dataclass
class GraphOp:
    """One workbook request. `url` is relative to the Graph version root ("/drives/...")."""

    method: str
    url: str
    body: dict[str, Any] | None = None
    # A range write can be split in two when Graph finds it too large.
    split: Callable[[], list[GraphOp]] | None = field(default=None, repr=False)
    missing_ok: bool = False  # a 404 answers None instead of failing (a sheet not there yet)
    rows: int = 0  # RO rows this op writes, for progress
    _size: int = -1

    @property
    def size(self) -> int:
        if self._size < 0:
            self._size = len(json.dumps(self.body)) if self.body is not None else 0
        return self._size


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


def _json(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def _short(op: GraphOp) -> str:
    path = op.url.split("/workbook", 1)[-1].split("?", 1)[0]
    return f"{op.method} {path[:120]}"


class WorkbookSession:
    """A persistent workbook session and the sequential, batched execution of operations."""

    def __init__(
        self,
        client: GraphClient,
        workbook_url: str,
        *,
        max_payload_bytes: int = 1_000_000,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        refresh_idle_s: float = 60.0,
        max_wait_s: float = 300.0,
        max_recreate: int = 5,
    ):
        self.client = client
        self.workbook_url = workbook_url.rstrip("/")
        self.max_payload_bytes = max_payload_bytes
        self.sleep = sleep
        self.clock = clock
        self.refresh_idle_s = refresh_idle_s
        self.max_wait_s = max_wait_s
        self.max_recreate = max_recreate
        self.id: str | None = None
        self.recreated = 0
        self.waited_s = 0.0
        self._last_activity = clock()

    # ---- session lifecycle -------------------------------------------------------------
    def start(self) -> None:
        response = self.client.send(
            "POST", f"{self.workbook_url}/createSession", json_body={"persistChanges": True}
        )
        body = _json(response)
        outcome = classify(response.status_code, body, response.headers, in_session=False)
        if outcome.kind == "wait":
            self._wait(outcome, 0)
            return self.start()
        if outcome.kind != "ok" or not isinstance(body, dict) or not body.get("id"):
            raise self._error(GraphOp("POST", "/workbook/createSession"), outcome)
        self.id = body["id"]
        self._last_activity = self.clock()

    def _recreate(self, outcome: Outcome) -> None:
        self.recreated += 1
        if self.recreated > self.max_recreate:
            raise GraphSessionLost(
                f"The workbook session kept expiring ({outcome.status} {outcome.code})."
            )
        log.info("workbook session lost (%s %s); creating a new one", outcome.status, outcome.code)
        if outcome.wait_s:
            self._sleep(outcome.wait_s)
        self.start()

    def refresh_if_idle(self) -> None:
        """Keep the session alive across pauses (it expires after ~5 min idle)."""
        if self.id is None or self.clock() - self._last_activity < self.refresh_idle_s:
            return
        response = self.client.send(
            "POST", f"{self.workbook_url}/refreshSession", headers=self._headers()
        )
        outcome = classify(response.status_code, _json(response), response.headers, in_session=True)
        if outcome.kind == "ok":
            self._last_activity = self.clock()
        elif outcome.kind in ("session", "session_lost"):
            self._recreate(outcome)
        # anything else: the next real request will tell

    def close(self) -> None:
        if self.id is None:
            return
        try:
            self.client.send("POST", f"{self.workbook_url}/closeSession", headers=self._headers())
        except httpx.HTTPError:  # the session times out by itself anyway
            log.info("closeSession failed; the session will expire on its own")
        self.id = None

    def _headers(self) -> dict[str, str]:
        return {"workbook-session-id": self.id} if self.id else {}

    # ---- waiting -------------------------------------------------------------------------
    def _sleep(self, seconds: float) -> None:
        if self.waited_s + seconds > self.max_wait_s:
            raise GraphThrottled(
                f"Graph kept throttling the workbook (waited {self.waited_s:.0f} s).", seconds
            )
        self.waited_s += seconds
        self.sleep(seconds)

    def _wait(self, outcome: Outcome, attempt: int) -> None:
        wait = outcome.wait_s if outcome.wait_s is not None else min(30.0, 0.5 * 2**attempt)
        self._sleep(wait)

    def _error(self, op: GraphOp, outcome: Outcome) -> GraphRequestError:
        text = (
            f"Graph refused {_short(op)}: {outcome.status} {outcome.code or ''} {outcome.message}"
        )
        cls = PayloadTooLarge if outcome.kind == "too_large" else GraphRequestError
        return cls(text.strip()[:500], status=outcome.status, code=outcome.code)

    # ---- running operations --------------------------------------------------------------
    def run(
        self, ops: list[GraphOp], on_done: Callable[[GraphOp], None] | None = None
    ) -> list[Any]:
        """Run `ops` strictly in order; their response bodies in the same order."""
        results: list[Any] = []
        queue = list(ops)
        while queue:
            group = self._take_group(queue)
            done, rest = self._run_group(group)
            for op, body in done:
                results.append(body)
                if on_done:
                    on_done(op)
            queue = rest + queue
        return results

    def _take_group(self, queue: list[GraphOp]) -> list[GraphOp]:
        group = [queue.pop(0)]
        size = group[0].size
        while queue and len(group) < MAX_BATCH and size + queue[0].size <= self.max_payload_bytes:
            size += queue[0].size
            group.append(queue.pop(0))
        return group

    def _split(self, op: GraphOp, outcome: Outcome) -> list[GraphOp]:
        if op.split is None:
            raise self._error(op, outcome)
        parts = op.split()
        if len(parts) < 2:
            raise self._error(op, outcome)
        # Adapt: later chunks are built (and batches packed) at half the size.
        self.max_payload_bytes = max(10_000, min(self.max_payload_bytes, op.size) // 2)
        log.info(
            "%s too large (%s); now %d bytes per request",
            _short(op),
            outcome.code,
            self.max_payload_bytes,
        )
        return parts

    def _run_group(self, group: list[GraphOp]) -> tuple[list[tuple[GraphOp, Any]], list[GraphOp]]:
        """Send one group (alone, or as a $batch); (what finished, what must be sent again)."""
        self.refresh_if_idle()
        if len(group) == 1:
            return self._run_one(group[0])
        return self._run_batch(group)

    def _run_one(self, op: GraphOp) -> tuple[list[tuple[GraphOp, Any]], list[GraphOp]]:
        for attempt in range(12):
            response = self.client.send(
                op.method, op.url, json_body=op.body, headers=self._headers()
            )
            body = _json(response)
            outcome = classify(response.status_code, body, response.headers, in_session=True)
            self._last_activity = self.clock()
            if outcome.kind == "ok":
                return [(op, body)], []
            if outcome.kind == "missing" and op.missing_ok:
                return [(op, None)], []
            if outcome.kind == "too_large":
                return [], self._split(op, outcome)
            self._recover(op, outcome, attempt)
        raise GraphThrottled(f"Graph kept failing {_short(op)}.")

    def _recover(self, op: GraphOp, outcome: Outcome, attempt: int) -> None:
        if outcome.kind == "wait":
            self._wait(outcome, attempt)
        elif outcome.kind == "session":
            self._recreate(outcome)
        elif outcome.kind == "session_lost":
            raise GraphSessionLost(
                f"The workbook session ended ({outcome.code}); the sync will start over."
            )
        else:
            raise self._error(op, outcome)

    def _run_batch(self, group: list[GraphOp]) -> tuple[list[tuple[GraphOp, Any]], list[GraphOp]]:
        requests = []
        for index, op in enumerate(group):
            sub: dict[str, Any] = {
                "id": str(index + 1),
                "method": op.method,
                "url": op.url,
                "headers": {**self._headers(), "Content-Type": "application/json"},
            }
            if op.body is not None:
                sub["body"] = op.body
            if index and not (op.method == "GET" and group[index - 1].method == "GET"):
                sub["dependsOn"] = [str(index)]  # sequential: never two writes at once
            requests.append(sub)
        for attempt in range(12):
            response = self.client.send("POST", "/$batch", json_body={"requests": requests})
            body = _json(response)
            outcome = classify(response.status_code, body, response.headers, in_session=False)
            self._last_activity = self.clock()
            if outcome.kind == "ok":
                break
            if outcome.kind == "too_large":  # the batch as a whole: send smaller groups
                self.max_payload_bytes = max(10_000, self.max_payload_bytes // 2)
                return [], group
            self._recover(GraphOp("POST", "/$batch"), outcome, attempt)
        else:
            raise GraphThrottled("Graph kept throttling $batch requests.")
        answers = {str(r.get("id")): r for r in (body or {}).get("responses", [])}
        done: list[tuple[GraphOp, Any]] = []
        for index, op in enumerate(group):
            answer = answers.get(str(index + 1), {"status": 424})
            status = int(answer.get("status", 500))
            sub_body = answer.get("body")
            sub = classify(status, sub_body, answer.get("headers"), in_session=True)
            if sub.kind == "ok" or (sub.kind == "missing" and op.missing_ok):
                done.append((op, sub_body if sub.kind == "ok" else None))
                continue
            # The first failure; later chained requests failed with 424 and are resent as well.
            rest = group[index:]
            if sub.kind == "too_large":
                return done, self._split(op, sub) + rest[1:]
            self._recover(op, sub, 0)
            return done, rest
        return done, []
