"""Run a tool's actor from asyncio and await its result without blocking the event loop.

    result = await runner.call("get_repair_order", {"number": "38462"}, actor="ana@example.com")

The call registers a future, sends the message (a sub-millisecond Redis write, done on a small
dedicated thread pool so a slow Redis never stalls the loop), and awaits the future. The future
is resolved by the result backend's notification: one shared pub/sub listener per event loop with
Redis, a direct hand-off from the worker thread in embedded mode. No thread waits per call, so
fifty chat turns waiting at once cost fifty futures. The message carries `max_age` = the timeout,
so a call the caller gave up on is dropped rather than applied late; a result that never comes
raises `JobTimeout`. Domain errors come back as themselves ("There is no RO 99999...").
"""

from __future__ import annotations

import asyncio
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from jobs import broker as _broker
from jobs import operations
from jobs.errors import JobTimeout
from jobs.replies import ReplyListener
from jobs.results import decode_result

_send_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gt-job-send")
_listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, ReplyListener]] = (
    weakref.WeakKeyDictionary()
)


async def call(
    name: str,
    args: dict[str, Any] | None = None,
    *,
    actor: str,
    call_id: str | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Run tool operation `name` through the `run_tool` actor and return its result."""
    from jobs.actors import run_tool

    operations.get(name)  # an unknown name fails here, before anything is sent
    jobs = _broker.current()
    timeout = timeout if timeout is not None else jobs.settings.job_timeout_s
    deadline = time.monotonic() + timeout
    listener = None if jobs.embedded else await _listener(jobs)
    message = run_tool.message_with_options(
        args=(name, dict(args or {}), actor, call_id),
        max_age=int(timeout * 1000),
        **({"reply_to": listener.channel} if listener else {}),
    )
    future = jobs.waiters.add(message.message_id)
    try:
        if listener is None:
            jobs.broker.enqueue(message)  # in-process queue: nothing to wait for
        else:
            await asyncio.get_running_loop().run_in_executor(
                _send_pool, jobs.broker.enqueue, message
            )
        remaining = max(deadline - time.monotonic(), 0.001)
        try:
            data = await asyncio.wait_for(future, remaining)
        except TimeoutError:
            data = await _stored_result(jobs, listener, message)
            if data is None:
                raise JobTimeout(
                    f"The {name} tool did not answer within {timeout:g} s. The job system may "
                    "be busy or down; nothing was changed unless the tool reports it later."
                ) from None
    finally:
        jobs.waiters.discard(message.message_id)
    return decode_result(jobs.backend.encoder, data, name)


async def _listener(jobs) -> ReplyListener:
    loop = asyncio.get_running_loop()
    entry = _listeners.get(loop)
    if entry is None or entry[0] is not jobs:
        listener = ReplyListener(jobs.settings.redis_url, jobs.waiters)
        listener.recover = lambda: _recover(jobs, listener)
        _listeners[loop] = (jobs, listener)
    else:
        listener = entry[1]
    await listener.ready()
    return listener


async def _stored_result(jobs, listener: ReplyListener | None, message) -> bytes | None:
    """A last look in the result backend (a notification may have been lost on a reconnect)."""
    key = jobs.backend.build_message_key(message)
    if listener is None:
        stored = jobs.backend.results.get(key)
        return stored[0] if stored else None
    return await listener.client.lindex(key, 0)


async def _recover(jobs, listener: ReplyListener) -> None:
    """After the listener reconnects: resolve calls whose results were published meanwhile."""
    from jobs.actors import run_tool

    for message_id in jobs.waiters.pending():
        probe = run_tool.message_with_options(args=())
        probe = probe.copy(message_id=message_id)
        data = await listener.client.lindex(jobs.backend.build_message_key(probe), 0)
        if data is not None:
            jobs.waiters.resolve(message_id, data)


async def close() -> None:
    """Close this event loop's reply listener (app shutdown, tests)."""
    entry = _listeners.pop(asyncio.get_running_loop(), None)
    if entry is not None:
        await entry[1].close()
