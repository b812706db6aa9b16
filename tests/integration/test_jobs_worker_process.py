"""A real `gt worker` process, SIGKILLed while it runs a write: the message is redelivered to
the next worker and the change happens exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bootstrap import bootstrap
from config import PROJECT_DIR, load_settings
from domain.models import ActivityLog, JobIdempotency
from jobs.actors import declare_operation
from tests.conftest import TODAY, _wipe
from tests.integration.test_jobs_embedded import EDITOR, seed
from tests.integration.test_jobs_support import change_status_then_hang

pytestmark = [pytest.mark.mariadb, pytest.mark.redis]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    gt = Path(sys.executable).parent / "gt"
    argv = [str(gt), "worker", "--processes", "1", "--threads", "2"]
    argv += ["--module", "tests.integration.test_jobs_support"]
    return subprocess.Popen(
        argv,
        cwd=PROJECT_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: we kill exactly it, nothing else
    )


def kill_group(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(10)


def test_a_sigkilled_worker_write_is_redelivered_and_applied_once(mariadb_url, redis_url, tmp_path):
    settings = load_settings(
        database_url=mariadb_url, var_dir=tmp_path / "var", redis_url=redis_url
    )
    app = bootstrap(settings, process="test", today=lambda: TODAY)
    declare_operation(app, change_status_then_hang)  # as the worker processes do
    _wipe(app.engine)
    number = seed(app)[0]

    hang_file = tmp_path / "hang"
    hang_file.touch()
    env = {k: v for k, v in os.environ.items() if k not in ("GT_CLI_USER",)}
    env.update(
        DATABASE_URL=mariadb_url,
        REDIS_URL=redis_url,
        GT_VAR_DIR=str(tmp_path / "var"),
        GT_TEST_HANG_FILE=str(hang_file),
        # Dead-worker detection fast enough for a test: 1 s of silence, maintenance on every call.
        GT_REDIS_HEARTBEAT_TIMEOUT_MS="1000",
        GT_REDIS_MAINTENANCE_CHANCE="1000000",
        dramatiq_worker_timeout="200",
    )
    log = tmp_path / "worker.log"
    first = start_worker(env, log)
    second = None

    def version() -> int:
        return app.repair_orders.get(number).version

    async def scenario():
        nonlocal second
        call = asyncio.create_task(
            app.jobs.call(
                change_status_then_hang,
                {"number": number, "status": "APPROVED"},
                actor=EDITOR,
                call_id="sigkill-1",
                timeout=40,
            )
        )
        deadline = time.monotonic() + 20
        while version() < 2:  # committed; the worker now hangs before acking
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            assert not call.done(), call
            await asyncio.sleep(0.05)
        kill_group(first, signal.SIGKILL)
        hang_file.unlink()
        second = start_worker(env, log)
        try:
            return await call
        finally:
            await app.jobs.aclose()

    try:
        result = asyncio.run(scenario())
    finally:
        kill_group(first, signal.SIGKILL)
        if second is not None:
            kill_group(second, signal.SIGTERM)
        app.jobs.stop()
        app.engine.dispose()

    assert result["repair_order"]["status"] == "APPROVED"
    assert result["already_applied"] is True  # the redelivery found the key, did not re-apply
    assert version() == 2
    with app.session() as s:
        changes = s.scalar(
            select(func.count())
            .select_from(ActivityLog)
            .where(ActivityLog.action == "STATUS_CHANGE", ActivityLog.actor == EDITOR)
        )
        keys = s.scalars(select(JobIdempotency.key)).all()
    assert changes == 1
    assert keys == ["tool:sigkill-1"]
