"""`Idempotency-Key` on POST: a retried request (lost answer, client timeout) with the same key
gets the first answer again instead of a second RO or a second stock decrement.

Successful answers are kept per user and key with a hash of the request; the same key with a
different request is refused (422). Errors are not kept, so a corrected retry runs normally.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.models import ApiIdempotency
from domain.roles import Actor
from jobs.app import App
from web.api.errors import ApiError

MAX_KEY = 200


def _hash(path: str, payload: Any) -> str:
    text = json.dumps([path, payload], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(app: App, actor: Actor, key: str, request_hash: str) -> JSONResponse | None:
    with app.session() as session:
        row = session.scalar(
            select(ApiIdempotency).where(
                ApiIdempotency.user_email == actor.name, ApiIdempotency.key == key
            )
        )
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise ApiError(
            422,
            "Unprocessable",
            "This Idempotency-Key was used for a different request; use a new key.",
        )
    headers = {"Idempotent-Replayed": "true"}
    return JSONResponse(json.loads(row.body), status_code=row.status_code, headers=headers)


def _keep(app: App, actor: Actor, key: str, request_hash: str, response: JSONResponse) -> None:
    with app.session() as session:
        session.add(
            ApiIdempotency(
                user_email=actor.name,
                key=key,
                request_hash=request_hash,
                status_code=response.status_code,
                body=response.body.decode(),
            )
        )
        try:
            session.commit()
        except IntegrityError:  # a concurrent twin kept its answer first
            session.rollback()


async def once(
    app: App,
    actor: Actor,
    key: str | None,
    payload: Any,
    run: Callable[[], JSONResponse],
    path: str = "",
) -> JSONResponse:
    """`run()` (in a thread), or the kept answer of an earlier request with this key."""
    if key is None:
        return await asyncio.to_thread(run)
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise ApiError(400, "Bad request", f"Idempotency-Key must be 1 to {MAX_KEY} characters.")
    request_hash = _hash(path, payload)
    replayed = await asyncio.to_thread(_replay, app, actor, key, request_hash)
    if replayed is not None:
        return replayed
    response = await asyncio.to_thread(run)
    if 200 <= response.status_code < 300:
        await asyncio.to_thread(_keep, app, actor, key, request_hash, response)
    return response
