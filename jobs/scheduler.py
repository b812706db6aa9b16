"""The schedule: APScheduler in one process calling `actor.send` at the configured times.

    overdue_sweep            daily at GT_OVERDUE_SWEEP_AT (default 08:00)
    follow_up_check          every GT_FOLLOWUP_CHECK_EVERY_MIN minutes (default 60)
    prune_idempotency_keys   daily at 03:30
    excel_sync               every 5 minutes: drain RO changes waiting for the workbook
    recover_lost_work        every 30 s: re-send confirmed changes and approved emails whose
                             message was lost
    source_sync              every 15 minutes: sync each enabled outside source (ERP.aero)
                             whose own schedule (every N hours, default 4) is due
    poll_inbox               every GT_INBOX_POLL_MIN minutes (default 2): shops' replies (#16),
                             unless GT_INBOX=off

Times are in Settings.timezone. Two schedulers started by mistake must not both fire: every
firing first takes a Redis lock keyed by the job and its scheduled time (SET NX with a day's
expiry), which only one scheduler gets. Cron triggers make the scheduled times the same in every
scheduler process, whenever it started. Embedded mode runs one in-process scheduler, no lock.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import redis
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from config import Settings
from jobs import tasks
from jobs.excel.actor import excel_sync
from jobs.inbox import poll_inbox
from jobs.operations import sources
from jobs.runtime import Jobs

log = logging.getLogger(__name__)
GRACE_S = 300  # a firing delayed by up to this much still runs (and still maps to its slot)
LOCK_TTL_MS = 36 * 3600 * 1000


class FiringLock:
    """One winner per (job, scheduled time) across every scheduler process."""

    def __init__(self, url: str, prefix: str = "gt:scheduler"):
        self.client = redis.Redis.from_url(url, socket_timeout=5)
        self.prefix = prefix
        self.owner = uuid.uuid4().hex

    def acquire(self, job: str, scheduled: datetime) -> bool:
        key = f"{self.prefix}:{job}:{scheduled.isoformat()}"
        return bool(self.client.set(key, self.owner, nx=True, px=LOCK_TTL_MS))


def triggers(settings: Settings) -> dict[str, CronTrigger]:
    tz = settings.tz
    hour, minute = (int(p) for p in settings.overdue_sweep_at.split(":"))
    every = settings.followup_check_every_min
    if every < 60:
        follow_up = CronTrigger(minute=f"*/{every}", timezone=tz)
    elif every < 1440:
        follow_up = CronTrigger(hour=f"*/{every // 60}", minute=0, timezone=tz)
    else:  # once a day; cron has no "every 24th hour"
        follow_up = CronTrigger(hour=0, minute=0, timezone=tz)
    found = {
        "overdue_sweep": CronTrigger(hour=hour, minute=minute, timezone=tz),
        "follow_up_check": follow_up,
        "prune_idempotency_keys": CronTrigger(hour=3, minute=30, timezone=tz),
        # The app enqueues a drain right after each change; this catches changes made by other
        # processes (gt commands, imports, workers) and any drain that failed for good.
        "excel_sync": CronTrigger(minute="*/5", timezone=tz),
        # Confirmed changes and approved emails whose message was lost.
        "recover_lost_work": CronTrigger(second="*/30", timezone=tz),
        # Each source has its own schedule (sources.every_hours); this only looks for due ones.
        "source_sync": CronTrigger(minute="*/15", timezone=tz),
    }
    if settings.inbox_source != "off":
        found["poll_inbox"] = _every(settings.inbox_poll_min, tz)
    return found


def _every(minutes: int, tz) -> CronTrigger:
    if minutes < 60:
        return CronTrigger(minute=f"*/{minutes}", timezone=tz)
    if minutes < 1440:
        return CronTrigger(hour=f"*/{minutes // 60}", minute=0, timezone=tz)
    return CronTrigger(hour=0, minute=0, timezone=tz)


def fire(
    name: str,
    trigger: CronTrigger,
    send: Callable[[], object],
    lock: FiringLock | None,
    now: datetime | None = None,
) -> bool:
    """Send job `name` unless another scheduler already did for this scheduled time."""
    now = now or datetime.now(trigger.timezone)
    scheduled = trigger.get_next_fire_time(None, now - timedelta(seconds=GRACE_S))
    try:
        if lock is not None and not lock.acquire(name, scheduled):
            log.info("%s at %s already sent by another scheduler", name, scheduled)
            return False
        send()
    except redis.RedisError as exc:  # Redis away: this slot is missed, the next one will come
        log.warning("%s at %s not sent: Redis is unreachable (%s)", name, scheduled, exc)
        return False
    log.info("sent %s (scheduled %s)", name, scheduled)
    return True


def scheduled_tasks() -> dict[str, Callable[..., Any]]:
    """The tasks of `triggers()`, by the same names."""
    return {
        "overdue_sweep": tasks.overdue_sweep,
        "follow_up_check": tasks.follow_up_check,
        "prune_idempotency_keys": tasks.prune_idempotency_keys,
        "excel_sync": excel_sync,
        "recover_lost_work": tasks.recover_lost_work,
        "source_sync": sources.sync_due_sources,
        "poll_inbox": poll_inbox,
    }


def build_scheduler(jobs: Jobs, *, blocking: bool) -> BaseScheduler:
    """A scheduler that sends each task through `jobs` at its times (not started)."""
    settings = jobs.settings
    lock = FiringLock(settings.redis_url) if settings.redis_url else None
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=settings.tz)
    fns = scheduled_tasks()
    for name, trigger in triggers(settings).items():
        scheduler.add_job(
            fire,
            trigger,
            args=(name, trigger, functools.partial(jobs.send, fns[name]), lock),
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=GRACE_S,
            replace_existing=True,
        )
    return scheduler
