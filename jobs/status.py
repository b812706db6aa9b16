"""What the background is doing, for `gt jobs status`: queues, workers, retries, failures."""

from __future__ import annotations

import json
import time
from typing import Any

from dramatiq.common import dq_name, xq_name
from sqlalchemy import desc, select

from domain.models import JobFailure, JobRun
from jobs.app import App
from jobs.runtime import Jobs


def collect(jobs: Jobs, app: App, *, failures: int = 20) -> dict[str, Any]:
    report: dict[str, Any] = {
        "mode": "embedded" if jobs.embedded else "redis",
        "queues": [],
        "processes_seen": None,
    }
    if jobs.embedded:
        report["note"] = (
            "Embedded mode: jobs run inside the app process; its queues are not visible from "
            "here. Failures and runs below come from the database."
        )
    else:
        report["queues"] = [_redis_queue(jobs, q) for q in jobs.queues]
        report["processes_seen"] = _processes_seen(jobs)
    with app.session() as session:
        report["failures"] = [
            {
                "failed_at": f.failed_at.isoformat(timespec="seconds"),
                "actor": f.actor_name,
                "queue": f.queue_name,
                "retries": f.retries,
                "error_type": f.error_type,
                "error": f.error,
                "message_id": f.message_id,
            }
            for f in session.scalars(
                select(JobFailure).order_by(desc(JobFailure.id)).limit(failures)
            )
        ]
        report["last_runs"] = {}
        for run in session.scalars(select(JobRun).order_by(desc(JobRun.id)).limit(50)):
            report["last_runs"].setdefault(
                run.name,
                {"finished_at": run.finished_at.isoformat(timespec="seconds"), **run.detail},
            )
    return report


def _redis_queue(jobs: Jobs, queue: str) -> dict[str, Any]:
    client = jobs.broker.client
    ns = jobs.broker.namespace
    delayed_msgs = f"{ns}:{dq_name(queue)}.msgs"
    in_flight = 0
    for key in client.scan_iter(match=f"{ns}:__acks__.*.{queue}", count=1000):
        in_flight += client.scard(key)
    retrying = 0
    for _, data in client.hscan_iter(delayed_msgs, count=500):
        try:
            retrying += json.loads(data).get("options", {}).get("retries", 0) > 0
        except ValueError:
            continue
    return {
        "queue": queue,
        "ready": client.llen(f"{ns}:{queue}"),
        "in_flight": in_flight,
        "delayed": client.hlen(delayed_msgs),
        "retrying": retrying,
        "dead_lettered": client.zcard(f"{ns}:{xq_name(queue)}"),
    }


def _processes_seen(jobs: Jobs) -> int:
    since = int(time.time() * 1000) - jobs.broker.heartbeat_timeout
    return jobs.broker.client.zcount(f"{jobs.broker.namespace}:__heartbeats__", since, "+inf")
