"""Real faults on the production shape (bench/faults.py's drill, smaller): confirmed changes and
approved emails while `gt worker` processes are killed with -9, their MariaDB connections are
KILLed and a Redis of the test's own is restarted. Asserted per change and per email."""

from __future__ import annotations

import pytest

from bench.faults import DrillConfig, run_drill
from tests.conftest import MARIADB_SERVER_URL

pytestmark = [pytest.mark.mariadb, pytest.mark.redis]


def test_every_confirmed_change_and_email_lands_once_and_is_told_truly(mariadb_url, tmp_path):
    # `mariadb_url` only proves the server is there (and fails loudly in CI when it is not);
    # the drill makes and drops a database of its own.
    config = DrillConfig(
        changes=24,
        emails=12,
        worker_kills=2,
        connection_kills=2,
        redis_restarts=1,
        settle_s=120,
        mariadb_server=MARIADB_SERVER_URL,
    )
    report = run_drill(config, log_dir=tmp_path)
    logs = "\n".join(p.read_text()[-1500:] for p in tmp_path.glob("*.log"))
    assert [kind for _, kind in report.faults].count("worker") == 2
    for change in report.changes:
        assert change["verdict"] in ("applied", "refused"), (change, logs)
        assert not change["misreported"], change
        if change["verdict"] == "applied":
            assert change["changed"] and change["times_applied"] == 1, change
        else:
            assert not change["changed"] and change["reason"], change
    for email in report.emails:
        assert email["state"] == "SENT" and email["times_sent"] == 1, (email, logs)
    assert report.settled_after_last_fault_s is not None
    assert report.settled_after_last_fault_s <= 60
