"""Result backends that also tell the waiting caller, and decoding a result for the caller.

Dramatiq's Results middleware stores a message's outcome once it is final (success, a `throws=`
error, or retries exhausted). These backends store it as usual — so `message.get_result()` and
`gt` scripts keep working — and in the same step notify the caller: on Redis a PUBLISH to the
caller's reply channel (named in the message's `reply_to` option, in the same MULTI as the
store); in embedded mode a direct hand-off to the waiting future.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Any

from dramatiq.results.backends import RedisBackend, StubBackend
from dramatiq.results.result import wrap_exception, wrap_result

from jobs.errors import error_from_failure

_CANARY = "dramatiq.results.Result"  # how Dramatiq marks a stored exception

Notify = Callable[[str, bytes], None]  # (message_id, encoded result)


def reply_payload(message_id: str, data: bytes) -> bytes:
    return message_id.encode() + b"\n" + data


def split_reply(payload: bytes) -> tuple[str, bytes]:
    message_id, _, data = payload.partition(b"\n")
    return message_id.decode(), data


class NotifyingRedisBackend(RedisBackend):
    def store_result(self, message, result, ttl: int) -> None:
        self._store_and_notify(message, wrap_result(result), ttl)

    def store_exception(self, message, exception, ttl: int) -> None:
        self._store_and_notify(message, wrap_exception(exception), ttl)

    def _store_and_notify(self, message, value: Any, ttl: int) -> None:
        key = self.build_message_key(message)
        data = self.encoder.encode(value)
        with self.client.pipeline() as pipe:
            pipe.delete(key)
            pipe.lpush(key, data)
            pipe.pexpire(key, ttl)
            reply_to = message.options.get("reply_to")
            if reply_to:
                pipe.publish(reply_to, reply_payload(message.message_id, data))
            pipe.execute()


class NotifyingStubBackend(StubBackend):
    """In-process results: handed straight to the waiting future; kept until they expire for
    get_result. Worker threads store at once: the kept results change under one lock (a
    result stored while another thread swept the dict was lost, and its caller waited for
    the job timeout), and expired ones leave in expiry order, not by scanning every result."""

    def __init__(self, *, notify: Notify, **kwargs):
        super().__init__(**kwargs)
        self.notify = notify
        self.results = {}  # per instance (StubBackend shares one dict across instances)
        self._expiring: list[tuple[float, str]] = []  # a heap: (expires, key)
        self._lock = threading.Lock()

    def store_result(self, message, result, ttl: int) -> None:
        self._store_and_notify(message, wrap_result(result), ttl)

    def store_exception(self, message, exception, ttl: int) -> None:
        self._store_and_notify(message, wrap_exception(exception), ttl)

    def _store_and_notify(self, message, value: Any, ttl: int) -> None:
        data = self.encoder.encode(value)
        key = self.build_message_key(message)
        now = time.monotonic()
        expires = now + ttl / 1000
        with self._lock:
            self._drop_expired(now)
            self.results[key] = (data, expires)
            heapq.heappush(self._expiring, (expires, key))
        self.notify(message.message_id, data)

    def _drop_expired(self, now: float) -> None:
        while self._expiring and self._expiring[0][0] < now:
            expires, key = heapq.heappop(self._expiring)
            kept = self.results.get(key)
            if kept is not None and kept[1] == expires:  # not stored again since
                del self.results[key]


def decode_result(encoder, data: bytes, operation: str) -> Any:
    """The job's return value, or raise the error it failed with (domain errors as themselves)."""
    value = encoder.decode(data)
    if isinstance(value, dict) and value.get("__t") == _CANARY:
        exn = value["exn"]
        raise error_from_failure(operation, exn["type"], exn["msg"])
    return value
