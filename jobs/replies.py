"""The caller's side of a job: one future per call, resolved without a thread per waiter.

`Waiters` maps message ids to asyncio futures; whoever learns a result calls `resolve()` from any
thread (the embedded worker's threads, or the Redis listener task). `ReplyListener` is one
pub/sub connection per event loop on a private channel; many waiting chat turns share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable

import redis.asyncio as aioredis

from jobs.results import split_reply

log = logging.getLogger(__name__)
RECONNECT_MIN_S, RECONNECT_MAX_S = 0.25, 4.0


class Waiters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Future[bytes]]] = {}

    def add(self, message_id: str) -> asyncio.Future[bytes]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()
        with self._lock:
            self._futures[message_id] = (loop, future)
        return future

    def discard(self, message_id: str) -> None:
        with self._lock:
            self._futures.pop(message_id, None)

    def pending(self) -> list[str]:
        with self._lock:
            return list(self._futures)

    def resolve(self, message_id: str, data: bytes) -> None:
        with self._lock:
            entry = self._futures.pop(message_id, None)
        if entry is None:
            return  # not ours, or the caller already gave up
        loop, future = entry
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            _set(future, data)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(_set, future, data)


def _set(future: asyncio.Future[bytes], data: bytes) -> None:
    if not future.done():
        future.set_result(data)


class ReplyListener:
    """Subscribes to `gt:replies:<uuid>` and resolves waiters; reconnects on its own.

    A reply published while the connection was down is not lost for good: after reconnecting,
    `recover()` (given by the runner) looks up the stored results of every pending call.
    """

    def __init__(self, url: str, waiters: Waiters, recover: Callable[[], object] | None = None):
        self.url = url
        self.waiters = waiters
        self.recover = recover
        self.channel = f"gt:replies:{uuid.uuid4().hex}"
        self.client = aioredis.Redis.from_url(url)
        self._ready = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def ready(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="gt-reply-listener")
        await self._ready.wait()

    async def _run(self) -> None:
        first = True
        pause = RECONNECT_MIN_S
        while True:
            try:
                async with self.client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._ready.set()
                    if pause > RECONNECT_MIN_S:
                        log.warning("reply listener reconnected to Redis")
                    pause = RECONNECT_MIN_S
                    if not first and self.recover is not None:
                        await self.recover()
                    first = False
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self.waiters.resolve(*split_reply(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if pause == RECONNECT_MIN_S:  # once per outage, not once per try
                    log.warning("reply listener lost Redis (%s); reconnecting", exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RECONNECT_MAX_S)
                first = False

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.aclose()
