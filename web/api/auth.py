"""Who is calling: `Authorization: Bearer <token>`, a personal API token (`gt tokens create`)
or, when Entra is configured, a Microsoft Entra access token for this app.

Either way the answer is an `Actor` with source "api", re-read on every request (the user's
current role and active flag), and the same role rules as the chat apply in the services.
Each caller is rate limited (per token, or per Entra identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from agent.rate_limit import MemoryRateLimiter, RateLimited, RedisRateLimiter
from domain.api_tokens import PREFIX
from domain.errors import NotAuthenticated
from domain.roles import Actor, Role
from jobs.app import App
from web.api.errors import ApiError
from web.api.rendered import RenderedRepairOrders


@dataclass
class ApiContext:
    """What every route needs: the process's App and how callers are recognised."""

    app: App
    limiter: MemoryRateLimiter | RedisRateLimiter
    access_tokens: object | None = None  # web.api.entra.AccessTokens when Entra is configured
    # the legacy JSON of ROs kept between requests (web/api/rendered.py); set by `build`
    rendered_ros: RenderedRepairOrders | None = None


def build_limiter(app: App) -> MemoryRateLimiter | RedisRateLimiter:
    per_minute = app.settings.api_rate_per_minute
    if app.settings.redis_url:
        return RedisRateLimiter(app.settings.redis_url, per_minute)
    return MemoryRateLimiter(per_minute)


def context(request: Request) -> ApiContext:
    return request.app.state.api


async def _bearer(request: Request) -> str:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a thread hop for
    # reading one header.
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise NotAuthenticated(
            "Send a token: Authorization: Bearer <token> (`gt tokens create`, or an Entra"
            " access token for this app)."
        )
    return credential.strip()


def _identify(ctx: ApiContext, credential: str) -> tuple[Actor, str]:
    """(actor, rate-limit key) for a credential."""
    if credential.startswith(PREFIX):
        actor = ctx.app.api_tokens.actor_for(credential, "api")
        return actor, "api-token:" + credential[len(PREFIX) :].split("_")[0]
    if ctx.access_tokens is not None and credential.count(".") == 2:
        actor = ctx.access_tokens.actor_for(credential)
        return actor, "api-entra:" + actor.name
    raise NotAuthenticated("The token is not an RO Tracker API token.")


def _admit(ctx: ApiContext, credential: str) -> Actor:
    actor, limit_key = _identify(ctx, credential)
    ctx.limiter.check(limit_key)
    return actor


def admit(request: Request, credential: str) -> Actor:
    """The caller behind `credential`, rate limited (blocking: the token's database read and
    the rate limit's Redis call)."""
    try:
        actor = _admit(context(request), credential)
    except RateLimited as exc:
        raise ApiError(
            429,
            "Rate limit exceeded",
            f"Too many requests for this token; try again in {exc.retry_after_s} s.",
            headers={"Retry-After": str(exc.retry_after_s)},
            extra={"retryAfter": exc.retry_after_s},
        ) from None
    request.state.actor = actor
    return actor


async def caller(request: Request) -> Actor:
    # One thread hop for both the token's read and the rate limit, in the same pool as the
    # sync routes, so `Settings.api_threads` bounds all of it.
    return await run_in_threadpool(admit, request, await _bearer(request))


# The caller, checked before the route runs (most routes).
Caller = Annotated[Actor, Depends(caller)]
# Only the bearer credential, read from the header (no I/O): the busiest reads (`GET /api/ros`,
# `GET /api/inventory/search`) are sync routes that call `admit(request, credential)` first
# thing in their own worker thread — one thread hop per request instead of two, which under
# load is a good part of a request's cost (each hop is a wake-up and a turn at the GIL).
Credential = Annotated[str, Depends(_bearer)]


def needs(role: Role, action: str):
    """A dependency: the caller, who must hold `role` (403 otherwise)."""

    async def check(actor: Caller) -> Actor:
        actor.require(role, action)
        return actor

    return check
