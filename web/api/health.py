"""`/health` (liveness: the process answers) and `/ready` (this instance can serve: database,
Redis when configured; the scheduler's last run is reported, not required)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import desc, select, text

from domain.models import JobRun, utcnow
from web.api.auth import context

router = APIRouter(tags=["health"])
STARTED = time.monotonic()


class Health(BaseModel):
    status: str
    timestamp: str
    uptime: int
    database: str


class Ready(BaseModel):
    status: str  # "ready" | "not ready"
    checks: dict[str, str]
    scheduler: dict[str, str | None]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _database_ok(app) -> bool:
    try:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _redis_ok(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _scheduler(app) -> dict[str, str | None]:
    """The last finished scheduled run (any process); in embedded mode, the in-process one."""
    try:
        with app.session() as session:
            last = session.scalar(select(JobRun).order_by(desc(JobRun.id)).limit(1))
    except Exception:
        last = None
    scheduler = app.jobs.scheduler
    state = "external"  # `gt scheduler` runs it (Redis mode)
    if scheduler is not None:
        state = "running" if scheduler.running else "stopped"
    return {
        "state": state,
        "lastRun": last.finished_at.isoformat() + "Z" if last else None,
        "lastRunName": last.name if last else None,
        "secondsSinceLastRun": str(int((utcnow() - last.finished_at).total_seconds()))
        if last
        else None,
    }


@router.get("/health", response_model=Health, summary="Liveness (the legacy shape)")
async def health(request: Request) -> JSONResponse:
    ctx = context(request)
    ok = await asyncio.to_thread(_database_ok, ctx.app)
    return JSONResponse(
        Health(
            status="ok",
            timestamp=_now_iso(),
            uptime=int(time.monotonic() - STARTED),
            database="connected" if ok else "disconnected",
        ).model_dump()
    )


@router.get(
    "/ready",
    response_model=Ready,
    summary="Readiness: 200 when the database (and Redis, when configured) answer, else 503",
)
async def ready(request: Request) -> JSONResponse:
    app = context(request).app
    checks = {"database": "ok" if await asyncio.to_thread(_database_ok, app) else "down"}
    if app.settings.redis_url:
        up = await asyncio.to_thread(_redis_ok, app.settings.redis_url)
        checks["redis"] = "ok" if up else "down"
    ok = all(v == "ok" for v in checks.values())
    result = Ready(
        status="ready" if ok else "not ready",
        checks=checks,
        scheduler=await asyncio.to_thread(_scheduler, app),
    )
    return JSONResponse(result.model_dump(), status_code=200 if ok else 503)
