"""A RedisBroker whose idle consumers wake when a message is sent, instead of polling.

Dramatiq's Redis consumer sleeps between empty fetches with a backoff that grows to the worker
timeout (1 s), so an idle worker can take up to a second to notice a tool call; shortening the
timeout for everyone costs hundreds of Redis calls per second per idle worker. Here, sending to a
"wake" queue also pushes a token onto a small list, and an idle consumer of that queue waits on
the list with BLPOP (up to the usual backoff), so it fetches within a round trip of the send and
costs Redis one call per second while idle. A consumer whose prefetch is full waits for one of
its messages to be acked instead of sleeping blindly.

Delay queues (retries) keep Dramatiq's polling, capped at `delay_poll_ms` for wake queues so a
retry after 100 ms is not held back a whole second (about 10 polls per second per worker process).

Worker processes also run `maintain()` every few seconds: a killed worker's messages come back
within the heartbeat timeout plus that interval, on every queue (REFERENCE §9: left to chance,
Dramatiq took minutes).
"""

from __future__ import annotations

import contextlib
import threading
import time

import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import compute_backoff, dq_name, q_name
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message

# Tokens are only hints; a short list is enough to wake every idle consumer.
MAX_TOKENS = 256


class WakingRedisBroker(RedisBroker):
    def __init__(self, *, wake_queues: set[str], delay_poll_ms: int = 100, **kwargs):
        super().__init__(**kwargs)
        self.wake_queues = set(wake_queues)
        self.delay_poll_ms = delay_poll_ms
        self._maintaining: threading.Thread | None = None

    def maintain(self) -> None:
        """Requeue dead workers' unacknowledged messages on every queue (and its delay queue),
        now. Dramatiq does this only by chance, per command, for that command's queue alone, so
        a killed worker's messages could wait minutes; this also refreshes this process's
        heartbeat, so a busy but live worker is never taken for dead."""
        for queue_name in list(self.queues):
            for name in (queue_name, dq_name(queue_name)):
                self.scripts["dispatch"](
                    keys=[self.namespace],
                    args=[
                        "qsize",
                        int(time.time() * 1000),
                        name,
                        self.broker_id,
                        self.heartbeat_timeout,
                        self.dead_message_ttl,
                        1,  # do maintenance
                        self._max_unpack_size(),
                    ],
                )

    def start_maintenance(self, every_s: float) -> None:
        """`maintain()` every `every_s` seconds on a daemon thread, for a worker process."""
        if self._maintaining is not None:
            return

        def loop() -> None:
            while True:
                with contextlib.suppress(redis.RedisError):  # Redis away: try again later
                    self.maintain()
                time.sleep(every_s)

        self._maintaining = threading.Thread(target=loop, name="gt-redis-maintenance", daemon=True)
        self._maintaining.start()

    def wake_key(self, queue_name: str) -> str:
        return f"{self.namespace}:__wake__.{queue_name}"

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000):
        if queue_name in self.wake_queues:
            return _WakingConsumer(self, queue_name, prefetch, timeout)
        if queue_name.endswith(".DQ") and q_name(queue_name) in self.wake_queues:
            timeout = min(timeout, self.delay_poll_ms)
        return super().consume(queue_name, prefetch, timeout)

    def do_enqueue(self, queue_name: str, message_id: str, data: bytes):
        """Enqueue, and on a wake queue push a token in the same round trip."""
        if queue_name not in self.wake_queues:
            return self._dispatch("enqueue")(queue_name, message_id, data)
        wake = self.wake_key(queue_name)
        with self.client.pipeline(transaction=False) as pipe:
            self._dispatch_on(pipe, "enqueue", queue_name, message_id, data)
            pipe.rpush(wake, 1)
            pipe.ltrim(wake, -MAX_TOKENS, -1)
            return pipe.execute()[0]

    def _dispatch_on(self, pipe, command: str, queue_name: str, *args) -> None:
        # The same call as RedisBroker._dispatch, queued on a pipeline.
        self.scripts["dispatch"](
            keys=[self.namespace],
            args=[
                command,
                int(time.time() * 1000),
                queue_name,
                self.broker_id,
                self.heartbeat_timeout,
                self.dead_message_ttl,
                self._should_do_maintenance(command),
                self._max_unpack_size(),
                *args,
            ],
            client=pipe,
        )


class _WakingConsumer(_RedisConsumer):
    def __init__(self, broker: WakingRedisBroker, queue_name, prefetch, timeout):
        super().__init__(broker, queue_name, prefetch, timeout)
        self.wake_key = broker.wake_key(queue_name)
        self.slot_freed = threading.Event()

    def ack(self, message):
        try:
            super().ack(message)
        finally:
            self.slot_freed.set()

    def nack(self, message):
        try:
            super().nack(message)
        finally:
            self.slot_freed.set()

    def __next__(self):
        try:
            if self.message_cache:
                data = self.message_cache.pop(0)
                if data is None:  # see Dramatiq #266: a message deleted under us
                    return None
                self.misses = 0
                message = Message.decode(data)
                self.queued_message_ids.add(message.message_id)
                return MessageProxy(message)

            if self.outstanding_message_count >= self.prefetch:
                # Full: wait until a worker thread acks one of ours, not a blind backoff.
                self.slot_freed.clear()
                if self.outstanding_message_count >= self.prefetch:
                    self.slot_freed.wait(self.timeout / 1000)
                return None

            wanted = self.prefetch - self.outstanding_message_count
            self.message_cache = self.broker.do_fetch(self.queue_name, wanted)
            if not self.message_cache:
                self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
                # Idle: sleep until a sender pushes a token, at most the usual backoff.
                self.broker.client.blpop([self.wake_key], timeout=max(backoff_ms, 10) / 1000)
            return None
        except redis.ConnectionError as e:
            raise ConnectionClosed(e) from None
