"""Who a tool call acts as: the user behind its email, looked up and briefly cached per App."""

from __future__ import annotations

import threading
import time

from domain.roles import Actor
from domain.users import UserService

ACTOR_CACHE_S = 5.0  # a role change reaches the workers within this many seconds


class ActingUsers:
    def __init__(self, users: UserService, ttl_s: float = ACTOR_CACHE_S):
        self.users = users
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[Actor, float]] = {}

    def actor(self, email: str, source: str) -> Actor:
        key = (email, source)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        actor = self.users.actor_for(email, source)
        with self._lock:
            self._cache[key] = (actor, now + self.ttl_s)
        return actor
