"""The embedded mode: the app process runs the actors itself (StubBroker, worker threads) and the
schedule. With REDIS_URL set the app only enqueues, and `start()` does nothing but point the
actors at the app; `gt worker` and `gt scheduler` run elsewhere.

The chat app calls `start(app)` at startup and `stop()` at shutdown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dramatiq import Worker

from bootstrap import App
from jobs import broker as _broker
from jobs.context import use_app

log = logging.getLogger(__name__)
# Idle worker threads wake this often; also the precision of a retry's delay in embedded mode.
WORKER_TIMEOUT_MS = 50


@dataclass
class Embedded:
    jobs: _broker.Jobs
    worker: Worker | None
    scheduler: object | None


_running: Embedded | None = None
_excel_app: App | None = None  # the App whose handlers got the Excel sync trigger


def start(app: App, *, scheduler: bool = True) -> Embedded:
    """Set up the broker from the app's settings; run the actors (and the schedule) in this
    process if it is the in-process broker. Idempotent."""
    global _running
    if _running is not None:
        return _running
    from jobs import actors  # noqa: F401  (declares the actors)

    setup = _broker.setup_broker(app.settings)
    use_app(app)
    from jobs.excel.trigger import install as install_excel_sync

    global _excel_app
    install_excel_sync(app)  # committed RO changes reach Excel within seconds (issue #7)
    _excel_app = app
    if not setup.embedded:
        _running = Embedded(setup, worker=None, scheduler=None)
        log.info("jobs: enqueueing to Redis; run `gt worker` and `gt scheduler`")
        return _running
    worker = Worker(
        setup.broker,
        worker_threads=app.settings.embedded_worker_threads,
        worker_timeout=WORKER_TIMEOUT_MS,
    )
    worker.start()
    sched = None
    if scheduler:
        from jobs.scheduler import build

        sched = build(app.settings, blocking=False)
        sched.start()
    _running = Embedded(setup, worker=worker, scheduler=sched)
    log.info("jobs: running in-process (%d threads)", app.settings.embedded_worker_threads)
    return _running


def stop() -> None:
    global _running
    running, _running = _running, None
    if running is None:
        return
    if running.scheduler is not None:
        running.scheduler.shutdown(wait=False)
    if running.worker is not None:
        running.worker.stop(timeout=5_000)
    _uninstall_excel_sync()
    use_app(None)


def _uninstall_excel_sync() -> None:
    global _excel_app
    if _excel_app is not None:
        from jobs.excel.trigger import uninstall

        uninstall(_excel_app)
        _excel_app = None
