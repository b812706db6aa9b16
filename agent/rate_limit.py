"""Per-user chat rate limit: a fixed one-minute window, in Redis (shared by every app instance)
or in memory (embedded). A refused turn says when to try again."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict

from domain.errors import RoTrackerError

WINDOW_S = 60
log = logging.getLogger(__name__)


class RateLimited(RoTrackerError):
    def __init__(self, retry_after_s: int):
        self.retry_after_s = retry_after_s
        super().__init__(
            f"You're sending messages faster than the assistant allows. Try again in "
            f"{retry_after_s} second{'s' if retry_after_s != 1 else ''}."
        )


class MemoryRateLimiter:
    def __init__(self, per_minute: int, clock=time.time):
        self.per_minute = per_minute
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = defaultdict(int)
        self._lock = threading.Lock()

    def check(self, user: str) -> None:
        now = self._clock()
        window = int(now // WINDOW_S)
        with self._lock:
            for key in [k for k in self._counts if k[1] < window]:
                del self._counts[key]
            self._counts[(user, window)] += 1
            if self._counts[(user, window)] > self.per_minute:
                raise RateLimited(max(1, math.ceil((window + 1) * WINDOW_S - now)))


class RedisRateLimiter:
    def __init__(self, url: str, per_minute: int, clock=time.time):
        import redis

        self.per_minute = per_minute
        self._clock = clock
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    def check(self, user: str) -> None:
        import redis

        now = self._clock()
        window = int(now // WINDOW_S)
        key = f"gt:chat-rate:{user}:{window}"
        try:
            with self._redis.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, WINDOW_S * 2)
                count, _ = pipe.execute()
        except redis.RedisError:
            # Redis away: let the turn through; its tools then say the job system is down.
            log.warning("rate limit not checked: Redis is unreachable")
            return
        if count > self.per_minute:
            raise RateLimited(max(1, math.ceil((window + 1) * WINDOW_S - now)))


def build_rate_limiter(settings) -> MemoryRateLimiter | RedisRateLimiter:
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, settings.chat_turns_per_minute)
    return MemoryRateLimiter(settings.chat_turns_per_minute)
