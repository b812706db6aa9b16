"""The unit of work: one transaction, and the domain events it produced.

Events are written to the `domain_events` outbox inside the transaction, then handed to the
in-process handlers after the commit. Handlers only nudge (enqueue a job, wake a consumer); the
outbox row is what guarantees nothing is lost if the process dies in between.

The repair-order write path goes through `repair_orders` (a repository over the session), so it
can run on an in-memory fake; `session` stays for read-model queries and the other services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from domain.models import DomainEvent
from domain.repositories import SqlRepairOrders

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    ro_id: int | None
    ro_number: str | None
    actor: str
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


EventHandler = Callable[[Event], None]
# Runs with the session just before the commit, inside the transaction: e.g. a job records its
# idempotency key here, so the key is committed together with the change or not at all.
BeforeCommit = Callable[[Session], None]


class UnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        handlers: list[EventHandler],
        before_commit: list[BeforeCommit] | None = None,
    ):
        self._session_factory = session_factory
        self._handlers = handlers
        self._before_commit = list(before_commit or [])
        self._pending: list[tuple[Event, DomainEvent]] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.repair_orders = SqlRepairOrders(self.session)
        self._pending = []
        return self

    def __exit__(self, *exc_info: object) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves loaded
        # objects readable (detached), so services may return rows they read.
        self.session.close()

    def emit(
        self, name: str, *, ro_id: int | None, ro_number: str | None, actor: str, **payload: Any
    ) -> None:
        row = DomainEvent(name=name, ro_id=ro_id, ro_number=ro_number, actor=actor, payload=payload)
        self.session.add(row)
        self._pending.append((Event(name, ro_id, ro_number, actor, payload), row))

    def commit(self) -> None:
        for hook in self._before_commit:
            hook(self.session)
        self.session.commit()
        published = [
            Event(e.name, e.ro_id, e.ro_number, e.actor, e.payload, row.id)
            for e, row in self._pending
        ]
        self._pending = []
        for event in published:
            for handler in self._handlers:
                try:
                    handler(event)
                except Exception:  # a handler must never undo or hide a committed change
                    log.exception("event handler %r failed for %s", handler, event.name)


UnitOfWorkFactory = Callable[[], UnitOfWork]


class OneTransaction(UnitOfWork):
    """Several service calls as one transaction (the HTTP API's PATCH: fields, status and
    archive together, or nothing). Give the services `lambda: tx` as their factory and call them
    inside `with tx:`; each call's `with`/`commit()` then shares this session and only flushes
    (versions are checked and bumped as usual); `tx.commit()` at the outer level commits once
    and publishes every event. Leaving the outer block without it rolls everything back."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        handlers: list[EventHandler],
        before_commit: list[BeforeCommit] | None = None,
    ):
        super().__init__(session_factory, handlers, before_commit)
        self._depth = 0

    @classmethod
    def like(cls, factory: UnitOfWorkFactory) -> OneTransaction:
        """One transaction with what `factory`'s units of work commit with (a job's idempotency
        key and outcome hooks), for a command that is several service calls (#16's reply)."""
        unit = factory()
        return cls(unit._session_factory, unit._handlers, unit._before_commit)

    def __enter__(self) -> OneTransaction:
        if self._depth == 0:
            super().__enter__()
        self._depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            super().__exit__(*exc_info)

    def commit(self) -> None:
        if self._depth > 1:
            self.session.flush()
        else:
            super().commit()
