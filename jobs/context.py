"""What actors run against: the App (composition root) of this process, and who is acting.

A worker process bootstraps its App from the environment on first use (after the fork, so no
connection crosses it). The embedded app hands over its own App with `use_app()`, so tool calls
see the same database, clock and event handlers as the chat.
"""

from __future__ import annotations

import threading
import time

from bootstrap import App, bootstrap
from domain.roles import Actor

ACTOR_CACHE_S = 5.0  # a role change reaches the workers within this many seconds

_lock = threading.Lock()
_app: App | None = None
_actors: dict[tuple[str, str], tuple[Actor, float]] = {}


def use_app(app: App | None) -> None:
    global _app
    with _lock:
        _app = app
        _actors.clear()


def current_app() -> App:
    global _app
    with _lock:
        if _app is None:
            _app = bootstrap()
        return _app


def acting(app: App, email: str, source: str) -> Actor:
    """The user behind a tool call, looked up (and briefly cached) by email."""
    key = (email, source)
    now = time.monotonic()
    cached = _actors.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    actor = app.users.actor_for(email, source)
    _actors[key] = (actor, now + ACTOR_CACHE_S)
    return actor
