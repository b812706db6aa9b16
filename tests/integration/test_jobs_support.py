"""A test-only tool operation, declared by a real worker process (`gt worker -m ...`) from
`OPERATIONS`, as jobs/actors.py declares the application's own.

No tests here.
"""

from __future__ import annotations

import os
import time
from typing import Any

from jobs.operation import OperationContext, writes
from jobs.operations.repair_orders import get_repair_order


def _read_back(ctx: OperationContext, number: str, **_: Any) -> dict[str, Any]:
    return get_repair_order(ctx, number)


@writes(replay=_read_back)
def change_status_then_hang(ctx: OperationContext, number: str, status: str) -> dict[str, Any]:
    """Commits the change, then hangs while GT_TEST_HANG_FILE exists (to be SIGKILLed)."""
    ro = ctx.repair_orders.change_status(ctx.actor, number, status)
    hang_file = os.environ.get("GT_TEST_HANG_FILE", "")
    deadline = time.monotonic() + 60
    while hang_file and os.path.exists(hang_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    return {"repair_order": ro.model_dump(mode="json")}


OPERATIONS = (change_status_then_hang,)
