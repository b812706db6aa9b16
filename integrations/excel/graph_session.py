"""Graph workbook calls (REFERENCE §5): one persistent session, sequential writes, `$batch` of
at most 20 chained sub-requests, throttling and session expiry handled.

    GraphOp          one workbook request (a range write can split itself when too large)
    WorkbookSession  createSession / refreshSession / closeSession, and `run(ops)`: sends the
                     operations in order, packed into `$batch` requests (each sub-request
                     `dependsOn` the previous, so writes to the workbook never run in parallel),
                     retrying what failed for a transient reason and splitting range writes that
                     were too large.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from integrations.errors import (
    GraphAuthError,
    GraphRequestError,
    GraphSessionLost,
    GraphThrottled,
    PayloadTooLarge,
)
from integrations.microsoft.graph import GraphClient, Outcome, classify, response_json

log = logging.getLogger(__name__)

MAX_BATCH = 20
CLOSE_ATTEMPTS = 4  # Graph's limit of sub-requests per $batch


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
        body = response_json(response)
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
        outcome = classify(
            response.status_code, response_json(response), response.headers, in_session=True
        )
        if outcome.kind == "ok":
            self._last_activity = self.clock()
        elif outcome.kind in ("session", "session_lost"):
            self._recreate(outcome)
        # anything else: the next real request will tell

    def close(self) -> None:
        """Close the session; throttling (429/503 with Retry-After) is waited out and retried,
        a few times. Any other failure is left to the session's own expiry."""
        if self.id is None:
            return
        try:
            for attempt in range(CLOSE_ATTEMPTS):
                response = self.client.send(
                    "POST", f"{self.workbook_url}/closeSession", headers=self._headers()
                )
                outcome = classify(
                    response.status_code, response_json(response), response.headers,
                    in_session=False,
                )  # fmt: skip
                if outcome.kind != "wait" or attempt == CLOSE_ATTEMPTS - 1:
                    break
                self._wait(outcome, attempt)
        except (httpx.HTTPError, GraphThrottled, GraphAuthError):
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
            body = response_json(response)
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
            body = response_json(response)
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
