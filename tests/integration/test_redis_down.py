"""Redis stopped under a running desk: `gt chat` and `gt approvals approve` answer in one line
within the job timeout (no traceback, no hang); a change confirmed meanwhile is kept and
applied once Redis is back, by the workers and scheduler on their own."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.turns import Assistant
from bench.faults import GtProcess, OwnRedis
from bootstrap import bootstrap
from config import PROJECT_DIR, load_settings
from domain.roles import SYSTEM
from tests.conftest import TODAY, _wipe
from tests.integration.test_assistant import EDITOR, RecordingSink

pytestmark = [pytest.mark.mariadb, pytest.mark.redis]


def gt(env: dict[str, str], *args: str) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "gt"), *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def test_redis_down_is_one_clear_line_and_the_desk_recovers_by_itself(mariadb_url, tmp_path):
    own_redis = OwnRedis(tmp_path)
    own_redis.start()
    var = tmp_path / "var"
    settings = load_settings(database_url=mariadb_url, redis_url=own_redis.url, var_dir=var)
    app = bootstrap(settings, process="test", today=lambda: TODAY)
    _wipe(app.engine)
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.repair_orders.create(SYSTEM, {"shop_name": "Acme", "part_number": "P-1"}, number=38462)
    env = {k: v for k, v in os.environ.items() if k != "GT_CLI_USER"}
    env.update(DATABASE_URL=mariadb_url, REDIS_URL=own_redis.url, GT_VAR_DIR=str(var), NO_COLOR="1")
    worker = GtProcess(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "w.log")
    scheduler = GtProcess(["scheduler"], env, tmp_path / "s.log")
    worker.start()
    scheduler.start()
    try:

        async def ask():
            try:
                sink = RecordingSink()
                return await Assistant(app).ask(EDITOR, "t-r", "set RO 38462 to APPROVED", sink)
            finally:
                await app.jobs.aclose()

        [approval] = asyncio.run(ask()).waiting  # asked while Redis was up
        own_redis.stop()

        code, said, took = gt(env, "chat", "RO 38462", "--user", EDITOR.name)
        assert "Traceback" not in said and took < 40, said
        assert "job system (Redis) is unreachable" in said, said

        code, said, took = gt(env, "approvals", "approve", approval.id, "--user", EDITOR.name)
        assert "Traceback" not in said and took < 40, said
        assert "still being applied" in said, said
        row = app.approvals.get(approval.id)
        assert (row.state, row.outcome) == ("CONFIRMED", None)  # kept, not lost, not applied
        assert app.repair_orders.get("38462").status.value == "WAITING QUOTE"

        own_redis.start()  # the same port: workers, scheduler and app reconnect on their own
        deadline = time.monotonic() + 75
        while app.approvals.get(approval.id).outcome is None:
            assert time.monotonic() < deadline, (tmp_path / "w.log").read_text()[-3000:]
            time.sleep(0.5)
        assert app.approvals.get(approval.id).outcome == "APPLIED"
        ro = app.repair_orders.get("38462")
        assert ro.status.value == "APPROVED" and ro.version == 2  # once
        code, said, _ = gt(env, "approvals", "show", approval.id)
        assert code == 0 and "Outcome: APPLIED" in said, said
        assert "Traceback" not in (tmp_path / "s.log").read_text()
    finally:
        worker.kill()
        scheduler.kill()
        own_redis.stop()
        app.jobs.stop()
        app.engine.dispose()
