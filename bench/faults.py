"""Fault drill on the production shape: MariaDB, a Redis of its own, real `gt worker` processes
and a `gt scheduler`. Confirms changes and approves emails while it kills workers (`kill -9`),
kills the workers' MariaDB connections, and restarts Redis; then checks every change and email.

    python -m bench.faults [--changes 200] [--emails 100] [--worker-kills 5]
                           [--connection-kills 5] [--redis-restarts 1] [--settle-s 120]

Each change goes through what the chat does on Confirm: the approval row is the command
(jobs/commands.py), the decision commits it, and `tools.confirm.command_outcome` — the tool's
own code — says what the person is told. Per change, afterwards:
    applied      the RO changed once and the command says APPLIED
    refused      unchanged, REFUSED with a reason
    stranded     neither, once everything had `--settle-s` after the last fault
    duplicated   the change (or an email) landed more than once
    misreported  the person was told "applied" or "refused" and the database says otherwise
Goal: stranded 0, duplicated 0, misreported 0, and everything settled within 60 s of the last
fault. The last line is one JSON object. `run_drill()` is also what the integration test runs,
with smaller numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, func, select, text

from bench.common import MARIADB_SERVER, emit, free_port
from bootstrap import bootstrap
from config import PROJECT_DIR, load_settings
from domain.errors import Conflict
from domain.migrate import upgrade
from domain.models import ActivityLog, RepairOrder, Shop
from domain.models.chat import Approval
from domain.models.notifications import Notification, NotificationRepairOrder
from domain.roles import SYSTEM, Actor, Role
from jobs.mail.actor import send_email
from jobs.transient import is_transient
from tools.confirm import command_outcome
from tools.context import Deps

EDITOR = Actor("drill-editor@example.com", Role.EDITOR, "chat")
APPROVER = Actor("drill-approver@example.com", Role.APPROVER, "chat")
FIRST_RO = 50_000


@dataclass
class DrillConfig:
    changes: int = 200
    emails: int = 100
    worker_kills: int = 5
    connection_kills: int = 5
    redis_restarts: int = 1
    workers: int = 2
    settle_s: float = 120.0
    mariadb_server: str = MARIADB_SERVER
    seed: int = 7


@dataclass
class DrillReport:
    changes: list[dict[str, Any]] = field(default_factory=list)  # one per change
    emails: list[dict[str, Any]] = field(default_factory=list)  # one per email
    faults: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, what)
    settled_after_last_fault_s: float | None = None

    def summary(self) -> dict[str, Any]:
        def count(rows, key, value):
            return sum(1 for r in rows if r[key] == value)

        return {
            "changes": len(self.changes),
            "applied": count(self.changes, "verdict", "applied"),
            "refused": count(self.changes, "verdict", "refused"),
            "stranded": count(self.changes, "verdict", "stranded"),
            "duplicated": sum(1 for r in self.changes if r["times_applied"] > 1)
            + sum(1 for r in self.emails if r["times_sent"] > 1),
            "misreported": sum(1 for r in self.changes if r["misreported"]),
            "emails": len(self.emails),
            "emails_sent": count(self.emails, "state", "SENT"),
            "emails_stranded": sum(1 for r in self.emails if r["state"] not in ("SENT", "FAILED")),
            "faults": len(self.faults),
            "max_s_to_settle_after_last_fault": self.settled_after_last_fault_s,
        }


# ---- the processes ------------------------------------------------------------------------------
class OwnRedis:
    """A throwaway redis-server on its own port: stopped and started by the drill alone."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class GtProcess:
    """A `gt worker` or `gt scheduler` in a process group of its own (so kill -9 takes all)."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path):
        self.argv, self.env, self.log = argv, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gt = Path(sys.executable).parent / "gt"
        self.process = subprocess.Popen(
            [str(gt), *self.argv],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            self.process.wait(20)


def kill_connections(server_url: str, database: str) -> int:
    """KILL every MariaDB connection to `database` but this one: the workers' and the app's."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    killed = 0
    with admin.connect() as conn:
        ids = conn.execute(
            text(
                "SELECT ID FROM information_schema.PROCESSLIST "
                "WHERE DB = :db AND ID <> CONNECTION_ID()"
            ),
            {"db": database},
        ).scalars()
        for connection_id in list(ids):
            with contextlib.suppress(Exception):  # it may have ended by itself
                conn.execute(text(f"KILL {int(connection_id)}"))
                killed += 1
    admin.dispose()
    return killed


# ---- the drill ----------------------------------------------------------------------------------
def _retrying(fn, *args, **kwargs):
    """A person's click (or the drill's setup) retried over lost connections, as a person would
    click again."""
    for attempt in range(20):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if not is_transient(exc) or attempt == 19:
                raise
            time.sleep(0.2)
    return None


def _seed(app, config: DrillConfig) -> tuple[list[str], list[str]]:
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.users.add(SYSTEM, APPROVER.name, "approver")
    with app.session() as s:
        s.add(Shop(name="Drill Aero", name_key="DRILL AERO", email="repairs@drill-aero.example"))
        s.commit()
    changes, emails = [], []
    for i in range(config.changes + config.emails):
        ro = app.repair_orders.create(
            SYSTEM,
            {"shop_name": "Drill Aero", "part_number": f"DR-{i}"},
            number=FIRST_RO + i,
        )
        (changes if i < config.changes else emails).append(ro.number)
    return changes, emails


async def _confirm(app, number: str, told: dict[str, str], gate: asyncio.Semaphore) -> None:
    """What the chat does for "set RO n to APPROVED", then Confirm."""
    async with gate:
        approval = await asyncio.to_thread(
            _retrying,
            app.approvals.request,
            thread_id="drill",
            tool_call_id=f"drill-{number}",
            tool_name="update_status",
            args={"number": number, "status": "APPROVED", "note": None},
            preview={"title": f"Change the status of RO {number}", "changes": []},
            requested_by=EDITOR.name,
            ro_number=number,
            expected_version=1,
            operation="change_status",
        )
        with contextlib.suppress(Conflict):  # a retried click whose first try had committed
            await asyncio.to_thread(_retrying, app.approvals.decide, EDITOR, approval.id, True)
        deps = Deps(app=app, actor=EDITOR, thread_id="drill")
        said = await command_outcome(deps, approval.id)
        if "error" in said:
            told[number] = "refused"
        else:
            told[number] = "applying" if said.get("applying") else "applied"


def _faults(config: DrillConfig) -> list[str]:
    kinds = ["worker"] * config.worker_kills + ["connections"] * config.connection_kills
    kinds += ["redis"] * config.redis_restarts
    random.Random(config.seed).shuffle(kinds)
    return kinds


def _inject(kind: str, workers: list[GtProcess], own_redis: OwnRedis, config, database, rng):
    if kind == "worker":
        victim = rng.choice(workers)
        victim.kill(signal.SIGKILL)
        time.sleep(0.5)
        victim.start()
    elif kind == "connections":
        kill_connections(config.mariadb_server, database)
    else:
        own_redis.stop()
        time.sleep(3)
        own_redis.start()


def _settled(app, numbers: list[str], email_ids: list[str]) -> bool:
    with app.session() as s:
        open_commands = s.scalar(
            select(func.count())
            .select_from(Approval)
            .where(Approval.thread_id == "drill", Approval.outcome.is_(None))
        )
        open_emails = s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.id.in_(email_ids), Notification.state.not_in(["SENT", "FAILED"]))
        )
    return not open_commands and not open_emails


def _verdicts(app, report: DrillReport, numbers, email_ids, told) -> None:
    with app.session() as s:
        found = s.scalars(select(RepairOrder).where(RepairOrder.number.in_(numbers)))
        rows = {r.number: r for r in found}
        applied_counts = dict(
            s.execute(
                select(RepairOrder.number, func.count(ActivityLog.id))
                .join(ActivityLog, ActivityLog.ro_id == RepairOrder.id)
                .where(RepairOrder.number.in_(numbers), ActivityLog.action == "STATUS_CHANGE")
                .group_by(RepairOrder.number)
            ).all()
        )
        approvals = {
            a.ro_number: a for a in s.scalars(select(Approval).where(Approval.thread_id == "drill"))
        }
        for number in numbers:
            approval = approvals.get(number)
            outcome = approval.outcome if approval else None
            changed = rows[number].status == "APPROVED"
            verdict = {"APPLIED": "applied", "REFUSED": "refused"}.get(outcome or "", "stranded")
            said = told.get(number, "nothing")
            misreported = (said == "applied" and not changed) or (said == "refused" and changed)
            report.changes.append(
                {
                    "ro": number,
                    "told": said,
                    "outcome": outcome,
                    "reason": (approval.result or {}).get("reason") if approval else None,
                    "changed": changed,
                    "times_applied": applied_counts.get(number, 0),
                    "verdict": verdict if (verdict != "applied" or changed) else "stranded",
                    "misreported": misreported,
                }
            )
        sent_counts = dict(
            s.execute(
                select(ActivityLog.ro_id, func.count(ActivityLog.id))
                .where(ActivityLog.action == "EMAIL_SENT")
                .group_by(ActivityLog.ro_id)
            ).all()
        )
        links = dict(
            s.execute(
                select(NotificationRepairOrder.notification_id, NotificationRepairOrder.ro_id)
            ).all()
        )
        for n in s.scalars(select(Notification).where(Notification.id.in_(email_ids))):
            times = sent_counts.get(links.get(n.id), 0)
            report.emails.append({"id": n.id, "state": n.state, "times_sent": times})


def run_drill(config: DrillConfig, log_dir: Path | None = None) -> DrillReport:
    report = DrillReport()
    rng = random.Random(config.seed)
    database = f"gt_drill_{uuid.uuid4().hex[:8]}"
    server = create_engine(config.mariadb_server, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {database} CHARACTER SET utf8mb4"))
    folder = Path(tempfile.mkdtemp(prefix="gt-drill-"))
    log_dir = log_dir or folder
    own_redis = OwnRedis(folder)
    own_redis.start()
    db_url = f"{config.mariadb_server}/{database}"
    settings = load_settings(database_url=db_url, redis_url=own_redis.url, var_dir=folder / "var")
    app = bootstrap(settings, process="test")
    upgrade(app.engine)
    env = {k: v for k, v in os.environ.items() if k not in ("GT_CLI_USER",)}
    env.update(DATABASE_URL=db_url, REDIS_URL=own_redis.url, GT_VAR_DIR=str(folder / "var"))
    workers = [
        GtProcess(["worker", "--processes", "1", "--threads", "4"], env, log_dir / f"w{i}.log")
        for i in range(config.workers)
    ]
    scheduler = GtProcess(["scheduler"], env, log_dir / "scheduler.log")
    try:
        numbers, email_rows = _seed(app, config)
        email_ids = []
        for number in email_rows:
            draft = app.notifications.draft(APPROVER, number)
            app.notifications.approve(APPROVER, draft.id)
            email_ids.append(draft.id)
        for process in (*workers, scheduler):
            process.start()
        told: dict[str, str] = {}
        faults = _faults(config)

        def inject_all() -> None:
            for kind in faults:
                time.sleep(rng.uniform(1.0, 2.5))
                _inject(kind, workers, own_redis, config, database, rng)
                report.faults.append((time.monotonic(), kind))

        async def drive() -> None:
            gate = asyncio.Semaphore(8)
            injector = threading.Thread(target=inject_all, daemon=True)
            injector.start()
            for email_id in email_ids:
                with contextlib.suppress(Exception):  # Redis may be down: recovery resends
                    app.jobs.send(send_email, email_id)
            await asyncio.gather(*(_confirm(app, n, told, gate) for n in numbers))
            while injector.is_alive():
                await asyncio.sleep(0.2)
            await app.jobs.aclose()

        asyncio.run(drive())
        last_fault = report.faults[-1][0] if report.faults else time.monotonic()
        while time.monotonic() < last_fault + config.settle_s:
            if _retrying(_settled, app, numbers, email_ids):
                report.settled_after_last_fault_s = round(time.monotonic() - last_fault, 1)
                break
            time.sleep(0.5)
        _retrying(_verdicts, app, report, numbers, email_ids, told)
    finally:
        for process in (*workers, scheduler):
            process.kill(signal.SIGTERM)
        app.jobs.stop()
        app.engine.dispose()
        own_redis.stop()
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {database}"))
        server.dispose()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--emails", type=int, default=100)
    parser.add_argument("--worker-kills", type=int, default=5)
    parser.add_argument("--connection-kills", type=int, default=5)
    parser.add_argument("--redis-restarts", type=int, default=1)
    parser.add_argument("--settle-s", type=float, default=120.0)
    args = parser.parse_args()
    config = DrillConfig(
        changes=args.changes,
        emails=args.emails,
        worker_kills=args.worker_kills,
        connection_kills=args.connection_kills,
        redis_restarts=args.redis_restarts,
        settle_s=args.settle_s,
    )
    started = time.monotonic()
    report = run_drill(config)
    result = report.summary()
    result["elapsed_s"] = round(time.monotonic() - started, 1)
    for row in report.changes:
        if row["verdict"] != "applied" or row["misreported"] or row["times_applied"] != 1:
            print("change", row)
    emit(result)


if __name__ == "__main__":
    main()
