"""The HTTP client every connector shares: a token-bucket rate limit, retries with backoff on
429/5xx/timeouts honouring Retry-After, and a circuit that stops the run after N consecutive
failures (so a source that is down costs N requests, not a retry storm).

    http = SourceHttp(base_url, HttpPolicy(min_interval_s=0.5), transport=None)
    response = http.request("GET", "/repair_order/list", params={...})
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from integrations.erp.errors import CircuitOpen, SourceUnavailable

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class HttpPolicy:
    min_interval_s: float = 0.5  # the rate limit: one call per this many seconds ...
    burst: int = 1  # ... with at most this many at once after a pause
    max_retries: int = 4
    backoff_s: float = 0.5  # doubled per attempt
    max_wait_s: float = 60.0  # a longer Retry-After gives up this request instead
    circuit_after: int = 5  # consecutive failed attempts that stop the run
    timeout_s: float = 30.0


class TokenBucket:
    """`acquire()` returns when a call may be made: never more than `burst` calls at once and
    on average no faster than one per `interval_s`. `finished()` restarts the refill when a call
    ends, so the spacing holds as the source sees it (its clock), whatever the network's jitter."""

    def __init__(
        self,
        interval_s: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval_s = max(0.0, interval_s)
        self.capacity = max(1, burst)
        self.clock = clock
        self.sleep = sleep
        self.tokens = float(self.capacity)
        self.stamp = clock()
        self.lock = threading.Lock()

    def finished(self) -> None:
        with self.lock:
            self.tokens = min(self.tokens, self.capacity - 1.0)
            self.stamp = self.clock()

    def acquire(self) -> float:
        """Take one token, waiting for it; returns how long it waited."""
        with self.lock:
            waited = 0.0
            while True:
                now = self.clock()
                if self.interval_s > 0:
                    self.tokens = min(
                        self.capacity, self.tokens + (now - self.stamp) / self.interval_s
                    )
                else:
                    self.tokens = float(self.capacity)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return waited
                pause = (1 - self.tokens) * self.interval_s
                self.sleep(pause)
                waited += pause


def retry_after_s(response: httpx.Response) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), if the response gave one."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class SourceHttp:
    def __init__(
        self,
        base_url: str,
        policy: HttpPolicy,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        name: str = "source",
    ):
        self.policy = policy
        self.name = name
        self.sleep = sleep
        self.bucket = TokenBucket(policy.min_interval_s, policy.burst, sleep=sleep)
        self.client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            transport=transport,
            timeout=policy.timeout_s,
            headers={"Accept": "application/json"},
        )
        self.requests = 0  # every attempt, retries included
        self.failures_in_a_row = 0

    def close(self) -> None:
        self.client.close()

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """The response of the first attempt that is not a 429/5xx/timeout (any other status
        is the caller's to judge)."""
        policy = self.policy
        for attempt in range(policy.max_retries + 1):
            self.bucket.acquire()
            self.requests += 1
            wait: float | None
            try:
                try:
                    response = self.client.request(method, path.lstrip("/"), **kwargs)
                finally:
                    self.bucket.finished()
            except httpx.TimeoutException:
                problem, wait = "timed out", None
            except httpx.TransportError as exc:
                problem, wait = f"could not be reached ({type(exc).__name__})", None
            else:
                if response.status_code not in RETRY_STATUSES:
                    self.failures_in_a_row = 0
                    return response
                problem, wait = f"answered HTTP {response.status_code}", retry_after_s(response)
            self._failed(problem)
            if attempt == policy.max_retries:
                break
            delay = wait if wait is not None else policy.backoff_s * 2**attempt
            if delay > policy.max_wait_s:
                raise SourceUnavailable(
                    f"{self.name} {problem} and asked to wait {delay:.0f} s; try again later."
                )
            log.info("%s %s; retrying in %.2f s", self.name, problem, delay)
            self.sleep(delay)
        raise SourceUnavailable(
            f"{self.name} {problem} {policy.max_retries + 1} times in a row; try again later."
        )

    def _failed(self, problem: str) -> None:
        self.failures_in_a_row += 1
        if self.failures_in_a_row >= self.policy.circuit_after:
            raise CircuitOpen(
                f"{self.name} stopped after {self.failures_in_a_row} consecutive failures "
                f"(last: {problem})."
            )
