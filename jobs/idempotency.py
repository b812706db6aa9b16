"""A write job applies its change once, however often its message is delivered.

The job's key (the tool call id, or the message id, which survives retries and redelivery) is
inserted into `job_idempotency` by a before-commit hook of the unit of work: it commits with the
change or not at all, and its unique index stops a concurrent duplicate. A later delivery finds
the key and returns the stored result without touching anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.models import JobIdempotency
from domain.unit_of_work import BeforeCommit, UnitOfWork, UnitOfWorkFactory
from jobs.app import App

log = logging.getLogger(__name__)
MAX_KEY = 120


def keyed_uow(
    app: App, key: str, operation: str, also: Sequence[BeforeCommit] = ()
) -> UnitOfWorkFactory:
    """A unit-of-work factory whose commit also records `key` (and runs `also`)."""

    def record(session: Session) -> None:
        session.add(JobIdempotency(key=key, operation=operation))

    hooks = [record, *also]
    return lambda: UnitOfWork(app.session_factory, list(app.handlers), before_commit=hooks)


def stored(app: App, key: str) -> JobIdempotency | None:
    with app.session() as session:
        return session.scalar(select(JobIdempotency).where(JobIdempotency.key == key))


def run_once(
    app: App,
    key: str,
    operation: str,
    apply: Callable[[UnitOfWorkFactory], dict[str, Any]],
    replay: Callable[[], dict[str, Any]],
    also: Sequence[BeforeCommit] = (),
) -> dict[str, Any]:
    """`apply(uow_factory)` unless `key` was already applied; then the stored result (or, if the
    worker died between the commit and storing the result, `replay()`: a fresh read). `also`
    are more before-commit hooks of the applying transaction."""
    if len(key) > MAX_KEY:
        raise ValueError(f"idempotency key longer than {MAX_KEY} characters")
    done = stored(app, key)
    if done is not None:
        return _previous(done, replay)
    try:
        result = apply(keyed_uow(app, key, operation, also))
    except Exception:
        # A duplicate delivery running at the same time may have won: then this attempt's
        # failure (a unique key, a stale version, "already SHIPPED"...) is not the answer.
        done = stored(app, key)
        if done is None:
            raise
        return _previous(done, replay)
    try:
        with app.session() as session:
            session.execute(
                update(JobIdempotency).where(JobIdempotency.key == key).values(result=result)
            )
            session.commit()
    except Exception:  # the change is committed; a redelivery will replay instead
        log.warning("could not store the result of %s (%s)", operation, key, exc_info=True)
    return result


def _previous(done: JobIdempotency, replay: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    result = done.result if done.result is not None else replay()
    return {**result, "already_applied": True}
