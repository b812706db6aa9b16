"""Who is calling: `Authorization: Bearer <token>`, a personal API token (`gt tokens create`)
or, when Entra is configured, a Microsoft Entra access token for this app.

Either way the answer is an `Actor` with source "api", re-read on every request (the user's
current role and active flag), and the same role rules as the chat apply in the services.
Each caller is rate limited (per token, or per Entra identity).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from agent.rate_limit import MemoryRateLimiter, RateLimited, RedisRateLimiter
from domain.api_tokens import PREFIX
from domain.errors import NotAuthenticated
from domain.roles import Actor, Role
from jobs.app import App
from web.api.errors import ApiError


@dataclass
class ApiContext:
    """What every route needs: the process's App and how callers are recognised."""

    app: App
    limiter: MemoryRateLimiter | RedisRateLimiter
    access_tokens: object | None = None  # web.api.entra.AccessTokens when Entra is configured


def build_limiter(app: App) -> MemoryRateLimiter | RedisRateLimiter:
    per_minute = app.settings.api_rate_per_minute
    if app.settings.redis_url:
        return RedisRateLimiter(app.settings.redis_url, per_minute)
    return MemoryRateLimiter(per_minute)


def context(request: Request) -> ApiContext:
    return request.app.state.api


def _bearer(request: Request) -> str:
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


async def caller(request: Request) -> Actor:
    ctx = context(request)
    credential = _bearer(request)
    try:
        # One thread hop for both: the token's database read and the rate limit (Redis).
        actor = await asyncio.to_thread(_admit, ctx, credential)
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


Caller = Annotated[Actor, Depends(caller)]


def needs(role: Role, action: str):
    """A dependency: the caller, who must hold `role` (403 otherwise)."""

    async def check(actor: Caller) -> Actor:
        actor.require(role, action)
        return actor

    return check
