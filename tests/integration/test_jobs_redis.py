"""The production path on real Redis: wake-up broker, notifying results, the shared listener,
timeouts, the scheduler's firing lock, status; and a tool whose MariaDB connection is KILLed."""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import redis
from dramatiq import Worker
from sqlalchemy import create_engine, make_url, text

from bootstrap import bootstrap
from config import load_settings
from domain.errors import NotFound
from jobs.actors import declare_operation
from jobs.app import App
from jobs.errors import JobTimeout
from jobs.operation import reads
from jobs.operations.repair_orders import dashboard_stats, get_repair_order
from jobs.scheduler import FiringLock, fire, triggers
from jobs.status import collect
from tests.conftest import MARIADB_SERVER_URL, TODAY
from tests.integration.test_jobs_embedded import VIEWER, seed


def start_redis_worker(app: App) -> Worker:
    """Worker threads on the App's Redis broker: what a `gt worker` process runs."""
    worker = Worker(app.jobs.broker, worker_threads=4, worker_timeout=200)
    worker.start()
    return worker


@pytest.fixture
def redis_app(db_url, tmp_path, redis_url) -> Iterator[tuple[App, list[str]]]:
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url=redis_url)
    app = bootstrap(settings, process="test", today=lambda: TODAY)
    numbers = seed(app)
    worker = start_redis_worker(app)
    yield app, numbers
    worker.stop(timeout=5_000)
    app.jobs.stop()
    app.engine.dispose()


async def _call(app: App, op, args=None, **kwargs):
    try:
        return await app.jobs.call(op, args, **kwargs)
    finally:
        await app.jobs.aclose()


def test_tools_over_redis_answer_in_milliseconds(redis_app):
    app, numbers = redis_app

    async def main():
        await app.jobs.call(get_repair_order, {"number": numbers[0]}, actor=VIEWER)  # warm
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            await app.jobs.call(get_repair_order, {"number": numbers[0]}, actor=VIEWER)
            timings.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)  # let the worker go idle: the wake-up path, not a busy poll
        many = await asyncio.gather(
            *(
                app.jobs.call(get_repair_order, {"number": numbers[i % 3]}, actor=VIEWER)
                for i in range(50)
            )
        )
        with pytest.raises(NotFound, match="There is no RO 99999"):
            await app.jobs.call(get_repair_order, {"number": "99999"}, actor=VIEWER)
        await app.jobs.aclose()
        return sorted(timings), many

    timings, many = asyncio.run(main())
    assert timings[len(timings) // 2] < 0.1  # an idle worker is woken, not found by polling
    assert [m["repair_order"]["number"] for m in many] == [numbers[i % 3] for i in range(50)]


def test_a_result_that_never_comes_times_out_without_a_worker(db_url, tmp_path, redis_url):
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url=redis_url)
    app = bootstrap(settings, process="test")  # and no worker at all
    started = time.monotonic()
    with pytest.raises(JobTimeout, match="did not answer"):
        asyncio.run(_call(app, dashboard_stats, actor=VIEWER, timeout=0.5))
    assert time.monotonic() - started < 2.0
    app.jobs.stop()
    app.engine.dispose()


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
    app, numbers = redis_app
    asyncio.run(_call(app, get_repair_order, {"number": numbers[0]}, actor=VIEWER))
    report = collect(app.jobs, app)
    assert report["mode"] == "redis" and report["processes_seen"] >= 1
    assert {q["queue"] for q in report["queues"]} == {"tools", "background"}
    assert all(q["ready"] == 0 for q in report["queues"])


# ---- a tool whose database connection is KILLed mid-call ----------------------------------------
# The suite runs MariaDB on the driver production gets (domain.db.mysql_driver: mysqlclient where
# installed); "+pymysql" runs these on the pure-Python one, what an install without it gets.
@pytest.fixture(
    params=["embedded", "embedded+pymysql", pytest.param("redis", marks=pytest.mark.redis)]
)
def maria_jobs(request, mariadb_url, tmp_path) -> Iterator[tuple[App, list[str]]]:
    from tests.conftest import _wipe

    mode, _, driver = request.param.partition("+")
    if driver:
        mariadb_url = (
            make_url(mariadb_url)
            .set(drivername=f"mysql+{driver}")
            .render_as_string(hide_password=False)
        )
    redis_url = request.getfixturevalue("redis_url") if mode == "redis" else ""
    settings = load_settings(
        database_url=mariadb_url, var_dir=tmp_path / "var", redis_url=redis_url
    )
    app = bootstrap(settings, process="test", today=lambda: TODAY)
    _wipe(app.engine)
    numbers = seed(app)
    if mode == "embedded":
        app.jobs.start()
        yield app, numbers
    else:
        worker = start_redis_worker(app)
        yield app, numbers
        worker.stop(timeout=5_000)
    app.jobs.stop()
    app.engine.dispose()


@pytest.mark.mariadb
def test_a_tool_whose_connection_is_killed_is_retried_and_answers(maria_jobs):
    app, numbers = maria_jobs
    connection_ids: queue.Queue[int] = queue.Queue()
    killed = threading.Event()
    attempts: list[int] = []

    @reads
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

    declare_operation(app, get_across_a_kill)
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        result = asyncio.run(
            _call(app, get_across_a_kill, {"number": numbers[2]}, actor=VIEWER, timeout=10)
        )
    finally:
        thread.join(5)
    assert result["repair_order"]["number"] == numbers[2]
    assert len(attempts) == 2 and attempts[0] != attempts[1]


def test_redis_fixture_uses_only_its_own_db(redis_url):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    own = 15 - int(worker.removeprefix("gw") or 0)
    assert redis_url.endswith(f"/{own}")
    assert redis.Redis.from_url(redis_url).connection_pool.connection_kwargs["db"] == own
    assert own > 0  # never the default database a developer's own Redis keeps data in
