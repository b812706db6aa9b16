"""The production path on real Redis: wake-up broker, notifying results, the shared listener,
timeouts, the scheduler's firing lock, status; and a tool whose MariaDB connection is KILLed."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import redis
from dramatiq import Worker
from sqlalchemy import create_engine, text

from bootstrap import App, bootstrap
from config import load_settings
from domain.errors import NotFound
from jobs import broker as jobs_broker
from jobs import embedded, runner
from jobs.context import use_app
from jobs.errors import JobTimeout
from jobs.operations import REGISTRY, get_repair_order, operation
from jobs.scheduler import FiringLock, fire, triggers
from jobs.status import collect
from tests.conftest import MARIADB_SERVER_URL, TODAY
from tests.integration.test_jobs_embedded import VIEWER, seed


def start_redis_worker(app: App, redis_url: str) -> tuple[jobs_broker.Jobs, Worker]:
    from jobs import actors  # noqa: F401

    settings = app.settings.model_copy(update={"redis_url": redis_url})
    setup = jobs_broker.setup_broker(settings)
    use_app(app)
    worker = Worker(setup.broker, worker_threads=4, worker_timeout=200)
    worker.start()
    return setup, worker


@pytest.fixture
def redis_app(db_url, tmp_path, redis_url) -> Iterator[tuple[App, list[str], jobs_broker.Jobs]]:
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url=redis_url)
    app = bootstrap(settings, today=lambda: TODAY)
    numbers = seed(app)
    setup, worker = start_redis_worker(app, redis_url)
    yield app, numbers, setup
    worker.stop(timeout=5_000)
    use_app(None)
    app.engine.dispose()


async def _call(name, args=None, **kwargs):
    try:
        return await runner.call(name, args, **kwargs)
    finally:
        await runner.close()


def test_tools_over_redis_answer_in_milliseconds(redis_app):
    _app, numbers, _ = redis_app

    async def main():
        await runner.call("get_repair_order", {"number": numbers[0]}, actor=VIEWER)  # warm
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            await runner.call("get_repair_order", {"number": numbers[0]}, actor=VIEWER)
            timings.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)  # let the worker go idle: the wake-up path, not a busy poll
        many = await asyncio.gather(
            *(
                runner.call("get_repair_order", {"number": numbers[i % 3]}, actor=VIEWER)
                for i in range(50)
            )
        )
        with pytest.raises(NotFound, match="There is no RO 99999"):
            await runner.call("get_repair_order", {"number": "99999"}, actor=VIEWER)
        await runner.close()
        return sorted(timings), many

    timings, many = asyncio.run(main())
    assert timings[len(timings) // 2] < 0.1  # an idle worker is woken, not found by polling
    assert [m["repair_order"]["number"] for m in many] == [numbers[i % 3] for i in range(50)]


def test_a_result_that_never_comes_times_out_without_a_worker(db_url, tmp_path, redis_url):
    from jobs import actors  # noqa: F401

    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url=redis_url)
    jobs_broker.setup_broker(settings)  # and no worker at all
    started = time.monotonic()
    with pytest.raises(JobTimeout, match="did not answer"):
        asyncio.run(_call("dashboard_stats", actor=VIEWER, timeout=0.5))
    assert time.monotonic() - started < 2.0


def test_two_schedulers_fire_each_slot_once(redis_url):
    settings = load_settings(redis_url=redis_url, overdue_sweep_at="07:45")
    trigger = triggers(settings)["overdue_sweep"]
    sent = []
    first, second = FiringLock(redis_url), FiringLock(redis_url)
    at = datetime(2026, 11, 20, 7, 45, 0, 200_000, tzinfo=settings.tz)
    assert fire("overdue_sweep", trigger, lambda: sent.append(1), first, now=at)
    assert not fire("overdue_sweep", trigger, lambda: sent.append(2), second, now=at)
    next_day = at.replace(day=21)
    assert fire("overdue_sweep", trigger, lambda: sent.append(3), second, now=next_day)
    assert sent == [1, 3]


def test_status_shows_queues_and_processes(redis_app):
    app, numbers, setup = redis_app
    asyncio.run(_call("get_repair_order", {"number": numbers[0]}, actor=VIEWER))
    report = collect(setup, app)
    assert report["mode"] == "redis" and report["processes_seen"] >= 1
    assert {q["queue"] for q in report["queues"]} == {"tools", "background"}
    assert all(q["ready"] == 0 for q in report["queues"])


# ---- a tool whose database connection is KILLed mid-call ----------------------------------------
@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.redis)])
def maria_jobs(request, mariadb_url, tmp_path) -> Iterator[tuple[App, list[str]]]:
    from tests.conftest import _wipe

    settings = load_settings(database_url=mariadb_url, var_dir=tmp_path / "var", redis_url="")
    app = bootstrap(settings, today=lambda: TODAY)
    _wipe(app.engine)
    numbers = seed(app)
    if request.param == "embedded":
        embedded.start(app, scheduler=False)
        yield app, numbers
        embedded.stop()
    else:
        _, worker = start_redis_worker(app, request.getfixturevalue("redis_url"))
        yield app, numbers
        worker.stop(timeout=5_000)
        use_app(None)
    app.engine.dispose()


@pytest.mark.mariadb
def test_a_tool_whose_connection_is_killed_is_retried_and_answers(maria_jobs):
    _app, numbers = maria_jobs
    connection_ids: queue.Queue[int] = queue.Queue()
    killed = threading.Event()
    attempts: list[int] = []

    @operation("test.get_across_a_kill")
    def get_across_a_kill(ctx, number):
        with ctx.app.session() as session:
            connection_id = session.execute(text("SELECT CONNECTION_ID()")).scalar_one()
            attempts.append(connection_id)
            if len(attempts) == 1:
                connection_ids.put(connection_id)
                killed.wait(5)
            session.execute(text("SELECT 1"))  # the first attempt's connection is gone here
        return get_repair_order(ctx, number)

    def killer() -> None:
        connection_id = connection_ids.get(timeout=10)
        admin = create_engine(MARIADB_SERVER_URL)
        with admin.connect() as conn:
            conn.execute(text(f"KILL {int(connection_id)}"))
        admin.dispose()
        killed.set()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        result = asyncio.run(
            _call("test.get_across_a_kill", {"number": numbers[2]}, actor=VIEWER, timeout=10)
        )
    finally:
        REGISTRY.pop("test.get_across_a_kill", None)
        thread.join(5)
    assert result["repair_order"]["number"] == numbers[2]
    assert len(attempts) == 2 and attempts[0] != attempts[1]


def test_redis_fixture_uses_only_db_15(redis_url):
    assert redis_url.endswith("/15")
    assert redis.Redis.from_url(redis_url).connection_pool.connection_kwargs["db"] == 15
