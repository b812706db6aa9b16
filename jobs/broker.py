"""The broker, built from Settings: Redis (production) or Stub (embedded), same middleware.

No module state: `bootstrap` builds one per process and hands it to `jobs.runtime.Jobs`. Only a
`gt worker` process also makes it Dramatiq's global broker, because Dramatiq's own CLI (which
runs the worker processes) looks there.
"""

from __future__ import annotations

import redis
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
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from jobs.failures import RecordFailures
from jobs.policies import BACKGROUND_QUEUE, TOOLS_QUEUE
from jobs.replies import Waiters
from jobs.results import NotifyingRedisBackend, NotifyingStubBackend
from jobs.wakeup import WakingRedisBroker

NAMESPACE = "dramatiq"
RESULTS_NAMESPACE = "gt-results"
QUEUES = (TOOLS_QUEUE, BACKGROUND_QUEUE)
REDIS_CONNECT_TIMEOUT_S = 2  # an unreachable Redis is an answer in seconds, not a hang


def build_broker(
    settings: Settings, session_factory: sessionmaker[Session], waiters: Waiters
) -> tuple[Broker, ResultBackend]:
    """The broker and result backend; results of embedded jobs go straight to `waiters`."""
    backend: ResultBackend
    broker: Broker
    if settings.redis_url:
        backend = NotifyingRedisBackend(
            client=redis.Redis.from_url(
                settings.redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S
            ),
            namespace=RESULTS_NAMESPACE,
        )
        broker = WakingRedisBroker(
            url=settings.redis_url,
            namespace=NAMESPACE,
            wake_queues={TOOLS_QUEUE},
            heartbeat_timeout=settings.redis_heartbeat_timeout_ms,
            maintenance_chance=settings.redis_maintenance_chance,
            middleware=[],
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
        )
    else:
        backend = NotifyingStubBackend(notify=waiters.resolve, namespace=RESULTS_NAMESPACE)
        broker = StubBroker(middleware=[])
    for middleware in (
        AgeLimit(),
        TimeLimit(),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(max_retries=3, min_backoff=100, max_backoff=1_000),  # actors set their own
        CurrentMessage(),
        Results(backend=backend),  # after Retries: stores only final outcomes
        RecordFailures(session_factory),
    ):
        broker.add_middleware(middleware)
    for queue in QUEUES:
        broker.declare_queue(queue)
    return broker, backend
