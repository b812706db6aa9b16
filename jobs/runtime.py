"""The job system of one process: its broker, one actor per operation or task, and the ways in.

    await jobs.call(repair_orders.change_status, {...}, actor="ana@example.com", call_id=...)
    jobs.send(tasks.overdue_sweep)                      # fire and forget, background queue
    await jobs.run(send_email, draft_id, timeout=15)    # a background task, awaited a while

Functions are looked up by reference (`jobs.actors[fn]`), never by a name string. `call`
registers a future, sends the message (a sub-millisecond Redis write, done on a small thread
pool so a slow Redis never stalls the event loop) and awaits the future, which the result
backend resolves: one shared pub/sub listener per event loop with Redis, a direct hand-off from
the worker thread when embedded. No thread waits per call. The message carries `max_age` = the
timeout, so a call the caller gave up on is dropped rather than applied late.

Embedded (StubBroker): `start()` runs worker threads — and, for the chat process, the schedule —
inside this process; with Redis, `gt worker` and `gt scheduler` processes do that.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import dramatiq
import redis
from apscheduler.schedulers.base import BaseScheduler
from dramatiq import Worker
from dramatiq.broker import Broker
from dramatiq.brokers.stub import StubBroker
from dramatiq.message import Message
from dramatiq.results.backend import ResultBackend

from config import Settings
from jobs.broker import QUEUES
from jobs.errors import JobTimeout, JobUnavailable
from jobs.replies import ReplyListener, Waiters
from jobs.results import decode_result

log = logging.getLogger(__name__)
UNREACHABLE = (
    "The job system (Redis) is unreachable, so the {what} tool could not run; nothing was "
    "changed by it. Please try again in a minute."
)
# Idle embedded worker threads wake this often; also the precision of a retry's delay there.
EMBEDDED_WORKER_TIMEOUT_MS = 50


class Jobs:
    def __init__(
        self, settings: Settings, broker: Broker, backend: ResultBackend, waiters: Waiters
    ):
        self.settings = settings
        self.broker = broker
        self.backend = backend
        self.waiters = waiters
        self.actors: dict[Callable[..., Any], dramatiq.Actor] = {}
        self._send_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gt-job-send")
        self._listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ReplyListener] = (
            weakref.WeakKeyDictionary()
        )
        # The schedule this process runs, if any (bootstrap sets it: embedded chat, gt scheduler).
        self.scheduler: BaseScheduler | None = None
        self._worker: Worker | None = None

    @property
    def embedded(self) -> bool:
        return isinstance(self.broker, StubBroker)

    @property
    def queues(self) -> tuple[str, ...]:
        return QUEUES

    def actor(self, fn: Callable[..., Any]) -> dramatiq.Actor:
        try:
            return self.actors[fn]
        except KeyError:
            name = getattr(fn, "__qualname__", repr(fn))
            raise LookupError(f"{name} has no actor: list it in jobs/actors.py") from None

    # ---- sending -------------------------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], *args: Any, **options: Any) -> Message:
        """Send `fn`'s actor a message with these (JSON-primitive) arguments and options."""
        kwargs = options.pop("kwargs", None) or {}
        delay = options.pop("delay", None)
        message = self.actor(fn).message_with_options(args=args, kwargs=kwargs, **options)
        return self.broker.enqueue(message, delay=delay)

    def send(self, fn: Callable[..., Any], *args: Any, delay: int | None = None, **kwargs: Any):
        """Fire and forget: run `fn(app, *args, **kwargs)` on a worker (after `delay` ms)."""
        return self.submit(fn, *args, kwargs=kwargs, **({"delay": delay} if delay else {}))

    async def call(
        self,
        operation: Callable[..., Any],
        args: dict[str, Any] | None = None,
        *,
        actor: str,
        call_id: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Run a tool operation as `actor` on a worker and return its result. Domain errors come
        back as themselves; no answer within `timeout` raises `JobTimeout`."""
        timeout = timeout if timeout is not None else self.settings.job_timeout_s
        name = operation.__name__
        message = self.actor(operation).message_with_options(
            args=(dict(args or {}), actor, call_id), max_age=int(timeout * 1000)
        )
        return await self._send_and_wait(message, name, timeout)

    async def run(self, fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Run a background task and await its result for up to `timeout` s (`JobTimeout`
        after that; the task itself goes on — it has no `max_age`)."""
        message = self.actor(fn).message_with_options(
            args=args, kwargs=kwargs, store_results=True, result_ttl=120_000
        )
        return await self._send_and_wait(message, fn.__name__, timeout)

    async def _send_and_wait(self, message: Message, what: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        listener = None
        if not self.embedded:
            try:  # the reply channel first, within the same deadline
                listener = await asyncio.wait_for(self._listener(), timeout)
            except TimeoutError:
                raise JobUnavailable(UNREACHABLE.format(what=what)) from None
            message = message.copy(options={**message.options, "reply_to": listener.channel})
        future = self.waiters.add(message.message_id)
        try:
            if listener is None:
                self.broker.enqueue(message)  # in-process queue: nothing to wait for
            else:
                loop = asyncio.get_running_loop()
                try:
                    await loop.run_in_executor(self._send_pool, self.broker.enqueue, message)
                except redis.RedisError:
                    raise JobUnavailable(UNREACHABLE.format(what=what)) from None
            remaining = max(deadline - time.monotonic(), 0.001)
            return await self._await_result(future, message, what, remaining, timeout)
        finally:
            self.waiters.discard(message.message_id)

    async def _await_result(
        self, future, message: Message, what: str, wait_s: float, timeout: float
    ) -> Any:
        try:
            data = await asyncio.wait_for(future, wait_s)
        except TimeoutError:
            try:
                data = await asyncio.wait_for(self._stored_result(message), 2)
            except (TimeoutError, redis.RedisError):
                data = None
            if data is None:
                raise JobTimeout(
                    f"The {what} tool did not answer within {timeout:g} s. The job system may "
                    "be busy or down; nothing was changed unless the tool reports it later."
                ) from None
        return decode_result(self.backend.encoder, data, what)

    async def _listener(self) -> ReplyListener:
        loop = asyncio.get_running_loop()
        listener = self._listeners.get(loop)
        if listener is None:
            listener = ReplyListener(self.settings.redis_url, self.waiters)
            listener.recover = lambda: self._recover(listener)
            self._listeners[loop] = listener
        await listener.ready()
        return listener

    async def _stored_result(self, message: Message) -> bytes | None:
        """A last look in the result backend (a notification may have been lost on a reconnect)."""
        key = self.backend.build_message_key(message)
        if self.embedded:
            stored = self.backend.results.get(key)
            return stored[0] if stored else None
        listener = await self._listener()
        return await listener.client.lindex(key, 0)

    async def _recover(self, listener: ReplyListener) -> None:
        """After the listener reconnects: resolve calls whose results were published meanwhile."""
        for message_id in self.waiters.pending():
            probe = Message(
                queue_name="", actor_name="", args=(), kwargs={}, options={}, message_id=message_id
            )
            data = await listener.client.lindex(self.backend.build_message_key(probe), 0)
            if data is not None:
                self.waiters.resolve(message_id, data)

    # ---- running (embedded) --------------------------------------------------------------------
    def start(self) -> None:
        """Embedded: run the actors (and the schedule, if this process has one) in this process.
        With Redis, nothing to do here: `gt worker` and `gt scheduler` run them. Idempotent."""
        if not self.embedded or self._worker is not None:
            return
        self._worker = Worker(
            self.broker,
            worker_threads=self.settings.embedded_worker_threads,
            worker_timeout=EMBEDDED_WORKER_TIMEOUT_MS,
        )
        self._worker.start()
        if self.scheduler is not None and not self.scheduler.running:
            self.scheduler.start()
        log.info("jobs: running in-process (%d threads)", self.settings.embedded_worker_threads)

    async def aclose(self) -> None:
        """Close this event loop's reply listener (app shutdown, tests)."""
        listener = self._listeners.pop(asyncio.get_running_loop(), None)
        if listener is not None:
            await listener.close()

    def stop(self) -> None:
        """Stop what `start` started, and let go of Redis connections."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._worker is not None:
            self._worker.stop(timeout=5_000)
            self._worker = None
        self.broker.close()
        for client in (getattr(self.broker, "client", None), getattr(self.backend, "client", None)):
            if client is not None:
                client.connection_pool.disconnect()
        self._send_pool.shutdown(wait=False)
