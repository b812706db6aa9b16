"""Result backends that also tell the waiting caller, and decoding a result for the caller.

Dramatiq's Results middleware stores a message's outcome once it is final (success, a `throws=`
error, or retries exhausted). These backends store it as usual — so `message.get_result()` and
`gt` scripts keep working — and in the same step notify the caller: on Redis a PUBLISH to the
caller's reply channel (named in the message's `reply_to` option, in the same MULTI as the
store); in embedded mode a direct hand-off to the waiting future.
"""

from __future__ import annotations

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
    """In-process results: handed straight to the waiting future; kept briefly for get_result."""

    def __init__(self, *, notify: Notify, **kwargs):
        super().__init__(**kwargs)
        self.notify = notify
        self.results = {}  # per instance (StubBackend shares one dict across instances)

    def store_result(self, message, result, ttl: int) -> None:
        self._store_and_notify(message, wrap_result(result), ttl)

    def store_exception(self, message, exception, ttl: int) -> None:
        self._store_and_notify(message, wrap_exception(exception), ttl)

    def _store_and_notify(self, message, value: Any, ttl: int) -> None:
        self._prune()
        data = self.encoder.encode(value)
        self.results[self.build_message_key(message)] = (data, time.monotonic() + ttl / 1000)
        self.notify(message.message_id, data)

    def _prune(self) -> None:
        if len(self.results) > 1000:  # a long-running app must not keep every result
            now = time.monotonic()
            for key in [k for k, (_, expires) in self.results.items() if expires < now]:
                del self.results[key]


def decode_result(encoder, data: bytes, operation: str) -> Any:
    """The job's return value, or raise the error it failed with (domain errors as themselves)."""
    value = encoder.decode(data)
    if isinstance(value, dict) and value.get("__t") == _CANARY:
        exn = value["exn"]
        raise error_from_failure(operation, exn["type"], exn["msg"])
    return value
