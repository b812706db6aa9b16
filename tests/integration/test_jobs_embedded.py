"""The embedded mode: the same actors on a StubBroker with in-process worker threads, no Redis."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator

import dramatiq
import pymysql
import pytest
import sqlalchemy.exc as sa_exc
from sqlalchemy import func, select

from bootstrap import bootstrap
from config import load_settings
from domain.errors import Forbidden, NotFound
from domain.models import ActivityLog, JobFailure, JobRun
from domain.roles import SYSTEM
from jobs.actors import declare_operation
from jobs.app import App
from jobs.errors import JobFailed, JobTimeout
from jobs.inbox import poll_inbox
from jobs.operation import reads
from jobs.operations.repair_orders import (
    change_status,
    dashboard_stats,
    get_repair_order,
    list_repair_orders,
)
from jobs.policies import BACKGROUND
from jobs.tasks import overdue_sweep
from tests.conftest import TODAY

EDITOR = "ed@example.com"
VIEWER = "vi@example.com"


def seed(app: App) -> list[str]:
    app.users.add(SYSTEM, EDITOR, "editor")
    app.users.add(SYSTEM, VIEWER, "viewer")
    numbers = []
    for i in range(3):
        ro = app.repair_orders.create(
            SYSTEM, {"shop_name": "Acme Avionics", "part_number": f"PN-{i}"}, number=38400 + i
        )
        numbers.append(ro.number)
    return numbers


@pytest.fixture
def jobs_app(db_url, tmp_path) -> Iterator[tuple[App, list[str]]]:
    settings = load_settings(database_url=db_url, var_dir=tmp_path / "var", redis_url="")
    app = bootstrap(settings, today=lambda: TODAY)
    numbers = seed(app)
    app.jobs.start()
    assert app.jobs.embedded
    yield app, numbers
    app.jobs.stop()
    app.engine.dispose()


@pytest.fixture
def test_operation(jobs_app):
    """Declare a test-only read operation's actor on the test's App (as jobs/actors.py does)."""
    app, _ = jobs_app

    def declare(fn):
        declare_operation(app, reads(fn))
        return fn

    return declare


def lost_connection() -> sa_exc.OperationalError:
    orig = pymysql.err.OperationalError(2013, "Lost connection to server during query")
    return sa_exc.OperationalError("SELECT 1", {}, orig, connection_invalidated=True)


def test_read_tools_run_through_the_actor(jobs_app):
    app, numbers = jobs_app

    async def main():
        one = await app.jobs.call(get_repair_order, {"number": numbers[0]}, actor=VIEWER)
        many = await app.jobs.call(list_repair_orders, {"limit": 2}, actor=VIEWER)
        stats = await app.jobs.call(dashboard_stats, actor=VIEWER)
        return one, many, stats

    one, many, stats = asyncio.run(main())
    assert one["repair_order"]["number"] == numbers[0]
    assert many["total"] == 3 and len(many["items"]) == 2
    assert stats["stats"]["total_active"] == 3


def test_domain_errors_come_back_as_themselves(jobs_app):
    app, numbers = jobs_app

    async def main(op, args, actor):
        return await app.jobs.call(op, args, actor=actor)

    with pytest.raises(NotFound, match="There is no RO 99999"):
        asyncio.run(main(get_repair_order, {"number": "99999"}, VIEWER))
    with pytest.raises(Forbidden, match="may not change"):
        asyncio.run(main(change_status, {"number": numbers[0], "status": "APPROVED"}, VIEWER))
    with pytest.raises(LookupError, match="has no actor"):  # a function nobody declared
        asyncio.run(main(lost_connection, {}, VIEWER))
    with app.session() as s:  # a person's mistake is not a system failure
        assert s.scalar(select(func.count()).select_from(JobFailure)) == 0


@pytest.mark.dialect  # the idempotency key commits with the change
def test_a_write_applies_once_per_call_id(jobs_app):
    app, numbers = jobs_app
    args = {"number": numbers[1], "status": "APPROVED", "note": "quote ok"}

    async def main():
        first = await app.jobs.call(change_status, args, actor=EDITOR, call_id="call-1")
        again = await app.jobs.call(change_status, args, actor=EDITOR, call_id="call-1")
        return first, again

    first, again = asyncio.run(main())
    assert first["repair_order"]["status"] == "APPROVED"
    assert again["already_applied"] is True
    assert again["repair_order"]["version"] == first["repair_order"]["version"] == 2
    with app.session() as s:
        changes = s.scalar(
            select(func.count())
            .select_from(ActivityLog)
            .where(ActivityLog.action == "STATUS_CHANGE")
        )
    assert changes == 1


def test_transient_failures_are_retried_quickly(jobs_app, test_operation):
    app, numbers = jobs_app
    attempts = []

    @test_operation
    def flaky_get(ctx, number):
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise lost_connection()
        return get_repair_order(ctx, number)

    started = time.monotonic()
    result = asyncio.run(app.jobs.call(flaky_get, {"number": numbers[0]}, actor=VIEWER))
    assert result["repair_order"]["number"] == numbers[0]
    assert len(attempts) == 3
    assert attempts[1] - attempts[0] >= 0.09  # backoff from about 100 ms
    assert time.monotonic() - started < 2.0


def test_a_transient_failure_that_persists_gives_a_clear_error_within_seconds(
    jobs_app, test_operation
):
    app, _ = jobs_app
    attempts = []

    @test_operation
    def always_lost(ctx):
        attempts.append(1)
        raise lost_connection()

    started = time.monotonic()
    with pytest.raises(JobFailed, match=r"could not finish \(OperationalError\)"):
        asyncio.run(app.jobs.call(always_lost, actor=VIEWER))
    assert len(attempts) == 4  # first try + 3 retries
    assert time.monotonic() - started < 3.0
    deadline = time.monotonic() + 3  # the failure row is written just after the reply
    while (failure := _only_failure(app)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert failure is not None
    assert failure.actor_name == "always_lost" and failure.error_type == "OperationalError"
    assert failure.retries == 4


def _only_failure(app: App) -> JobFailure | None:
    with app.session() as s:
        return s.scalars(select(JobFailure)).one_or_none()


def test_a_result_that_never_comes_times_out(jobs_app, test_operation):
    app, _ = jobs_app
    release = threading.Event()

    @test_operation
    def hang(ctx):
        release.wait(5)
        return {}

    started = time.monotonic()
    try:
        with pytest.raises(JobTimeout, match=r"did not answer within 0\.3 s"):
            asyncio.run(app.jobs.call(hang, actor=VIEWER, timeout=0.3))
        assert time.monotonic() - started < 1.0
    finally:
        release.set()


def test_fifty_waiting_calls_take_no_thread_each(jobs_app, test_operation):
    app, numbers = jobs_app
    gate = threading.Event()
    threads_seen = []

    @test_operation
    def gated_get(ctx, number):
        gate.wait(5)
        return get_repair_order(ctx, number)

    async def main():
        calls = [
            asyncio.create_task(app.jobs.call(gated_get, {"number": numbers[i % 3]}, actor=VIEWER))
            for i in range(50)
        ]
        await asyncio.sleep(0.2)  # all 50 are waiting now
        threads_seen.append(threading.active_count())
        gate.set()
        return await asyncio.gather(*calls)

    before = threading.active_count()
    results = asyncio.run(main())
    assert [r["repair_order"]["number"] for r in results] == [numbers[i % 3] for i in range(50)]
    assert threads_seen[0] - before < 5


def test_background_actors_record_their_runs_and_final_failures(jobs_app):
    app, _numbers = jobs_app
    broker = app.jobs.broker
    app.jobs.send(overdue_sweep)

    def broken() -> None:
        raise ValueError("the workbook is not where it should be")

    broken_actor = dramatiq.actor(
        broken, broker=broker, actor_name="test_broken_background", **BACKGROUND
    )
    try:
        broken_actor.send()
        broker.join("background", fail_fast=False, timeout=5_000)
    finally:
        del broker.actors["test_broken_background"]
    deadline = time.monotonic() + 3  # the failure row is written just after the nack
    while True:
        with app.session() as s:
            run = s.scalars(select(JobRun)).one()
            failure = s.scalars(select(JobFailure)).one_or_none()
        if failure is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert failure is not None
    assert run.name == "overdue_sweep" and "overdue" in run.detail
    assert failure.actor_name == "test_broken_background"
    assert failure.error_type == "ValueError" and "workbook" in failure.error


def test_a_background_task_run_by_the_schedule_logs_no_warning_and_run_awaited_answers(
    jobs_app, caplog
):
    """Scheduled runs (nobody awaits them) return nothing to the broker, so Dramatiq's results
    middleware has nothing to warn about; `Jobs.run` still gets the task's answer."""
    app, _numbers = jobs_app
    with caplog.at_level(logging.WARNING):
        app.jobs.send(poll_inbox)  # the drop folder: empty, and the counts say so
        app.jobs.broker.join("background", fail_fast=True, timeout=10_000)
    assert not [r for r in caplog.records if "returned a value" in r.getMessage()]
    answer = asyncio.run(app.jobs.run(poll_inbox, timeout=10))
    assert answer["source"] == "folder" and answer["messages"] == 0, answer
