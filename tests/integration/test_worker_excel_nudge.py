"""Production shape: a change confirmed in the chat is applied by a real `gt worker` process on
Redis, and the same worker nudges the Excel sync — the workbook has it within seconds with no
drain from the chat process and no scheduler running."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from openpyxl import load_workbook

from agent.turns import Assistant
from bootstrap import bootstrap
from config import load_settings
from domain.roles import SYSTEM, Actor, Role
from integrations.excel.layout import COLUMNS
from tests.conftest import TODAY, _wipe
from tests.integration.test_assistant import RecordingSink
from tests.integration.test_jobs_worker_process import kill_group, start_worker

pytestmark = [pytest.mark.mariadb, pytest.mark.redis]
EDITOR = Actor("ed@genthrust.test", Role.EDITOR, "chat")
STATUS = [attr for _, attr in COLUMNS].index("status")


def workbook_status(path, number: str) -> str | None:
    if not path.exists():
        return None
    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # being replaced at this very moment: look again
        return None
    for row in book["Active"].iter_rows(min_row=2, values_only=True):
        if row[0] is not None and str(row[0]) == number:
            return row[STATUS]
    return None


def test_a_confirmed_change_reaches_the_workbook_through_the_worker_alone(
    mariadb_url, redis_url, tmp_path
):
    var = tmp_path / "var"
    settings = load_settings(
        database_url=mariadb_url, var_dir=var, redis_url=redis_url, excel_debounce_ms=200
    )
    app = bootstrap(settings, process="chat", today=lambda: TODAY)  # Redis: it only enqueues
    assert not app.jobs.embedded and app.jobs.scheduler is None
    _wipe(app.engine)
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.repair_orders.create(
        SYSTEM, {"shop_name": "Acme Avionics", "part_number": "PN-1"}, number="38462"
    )
    env = {k: v for k, v in os.environ.items() if k != "GT_CLI_USER"}
    env.update(
        DATABASE_URL=mariadb_url,
        REDIS_URL=redis_url,
        GT_VAR_DIR=str(var),
        GT_EXCEL_DEBOUNCE_MS="200",
        dramatiq_worker_timeout="200",
    )
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    assistant = Assistant(app)

    async def confirm_a_change():
        try:
            asked = await assistant.ask(EDITOR, "t-1", "set RO 38462 to APPROVED", RecordingSink())
            [approval] = asked.waiting
            sink = RecordingSink()
            done = await assistant.decide(EDITOR, approval.id, True, sink)
            return done, sink
        finally:
            await app.jobs.aclose()

    try:
        done, sink = asyncio.run(confirm_a_change())
        confirmed_at = time.monotonic()
        assert app.repair_orders.get("38462").status.value == "APPROVED"  # what the DB says
        assert done.error is None and "APPROVED" in sink.said, sink.said  # ... what they were told
        path = settings.excel_file
        while workbook_status(path, "38462") != "APPROVED":
            assert time.monotonic() - confirmed_at < 10, log.read_text()[-3000:]
            time.sleep(0.1)
    finally:
        kill_group(worker, signal.SIGTERM)
        app.jobs.stop()
        app.engine.dispose()
