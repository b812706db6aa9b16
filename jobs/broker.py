"""The broker, built from Settings: Redis in production, Stub (in-process) in embedded mode.

Both get the same middleware, so an actor behaves the same either way. Actors are module-level
Dramatiq actors in `jobs.actors`; importing that module sets up the broker from the environment
if nobody did (that is how `dramatiq jobs.actors` worker processes start). `setup_broker()`
builds a new broker and re-binds the already declared actors to it — the app, the CLI and tests
call it to choose the broker explicitly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import dramatiq
from dramatiq.broker import Broker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)
from dramatiq.results import Results
from dramatiq.results.backend import ResultBackend

from config import Settings, get_settings
from jobs.policies import BACKGROUND_QUEUE, TOOLS_QUEUE
from jobs.replies import Waiters
from jobs.results import NotifyingRedisBackend, NotifyingStubBackend
from jobs.wakeup import WakingRedisBroker

NAMESPACE = "dramatiq"
RESULTS_NAMESPACE = "gt-results"


@dataclass
class Jobs:
    """The broker and what callers need to wait for results on it."""

    settings: Settings
    broker: Broker
    backend: ResultBackend
    waiters: Waiters = field(default_factory=Waiters)

    @property
    def embedded(self) -> bool:
        return isinstance(self.broker, StubBroker)

    @property
    def queues(self) -> list[str]:
        return [TOOLS_QUEUE, BACKGROUND_QUEUE]

    def close(self) -> None:
        self.broker.close()
        for client in (getattr(self.broker, "client", None), getattr(self.backend, "client", None)):
            if client is not None:
                client.connection_pool.disconnect()


def build(settings: Settings) -> Jobs:
    waiters = Waiters()
    if settings.redis_url:
        backend: ResultBackend = NotifyingRedisBackend(
            url=settings.redis_url, namespace=RESULTS_NAMESPACE
        )
        broker: Broker = WakingRedisBroker(
            url=settings.redis_url,
            namespace=NAMESPACE,
            wake_queues={TOOLS_QUEUE},
            heartbeat_timeout=settings.redis_heartbeat_timeout_ms,
            maintenance_chance=settings.redis_maintenance_chance,
            middleware=[],
        )
    else:
        backend = NotifyingStubBackend(notify=waiters.resolve, namespace=RESULTS_NAMESPACE)
        broker = StubBroker(middleware=[])
    from jobs.failures import RecordFailures

    for middleware in (
        AgeLimit(),
        TimeLimit(),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(max_retries=3, min_backoff=100, max_backoff=1_000),  # actors set their own
        CurrentMessage(),
        Results(backend=backend),  # after Retries: stores only final outcomes
        RecordFailures(),
    ):
        broker.add_middleware(middleware)
    for queue in (TOOLS_QUEUE, BACKGROUND_QUEUE):
        broker.declare_queue(queue)
    return Jobs(settings=settings, broker=broker, backend=backend, waiters=waiters)


_lock = threading.RLock()
_current: Jobs | None = None


def setup_broker(settings: Settings | None = None) -> Jobs:
    """Build the broker from `settings`, make it Dramatiq's global one, re-bind our actors."""
    global _current
    with _lock:
        jobs = build(settings or get_settings())
        dramatiq.set_broker(jobs.broker)
        for actor in _declared_actors():
            actor.broker = jobs.broker
            jobs.broker.declare_actor(actor)
        old, _current = _current, jobs
    if old is not None:
        old.close()
    return jobs


def current() -> Jobs:
    """The broker set up so far, or one built from the environment."""
    with _lock:
        return _current or setup_broker()


def _declared_actors() -> list[dramatiq.Actor]:
    import sys

    module = sys.modules.get("jobs.actors")
    return list(getattr(module, "ACTORS", ())) if module else []
