"""Where people can see what the background did: final failures and scheduled runs.

`RecordFailures` writes a `job_failures` row when a message fails for good (after its retries, or
at once for an error never worth retrying). Tool calls whose domain error went back to the
person who asked (no such RO, not allowed...) are not failures of the system and are not recorded.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from dramatiq.middleware import Middleware
from sqlalchemy.orm import Session, sessionmaker

from domain.errors import RoTrackerError
from domain.models import JobFailure, JobRun, utcnow
from jobs.policies import TOOLS_QUEUE

log = logging.getLogger(__name__)
MAX_TEXT = 2000


class RecordFailures(Middleware):
    def __init__(self, session_factory: sessionmaker[Session]):
        self.session_factory = session_factory

    def after_nack(self, broker, message) -> None:
        exception = message._exception  # set by the worker before post-processing
        if message.queue_name.startswith(TOOLS_QUEUE) and isinstance(exception, RoTrackerError):
            return
        try:
            args = json.dumps({"args": message.args, "kwargs": message.kwargs}, default=str)
            with self.session_factory() as session:
                session.add(
                    JobFailure(
                        message_id=message.message_id,
                        actor_name=message.actor_name,
                        queue_name=message.queue_name,
                        args=args[:MAX_TEXT],
                        error_type=type(exception).__name__ if exception else "unknown",
                        error=str(exception)[:MAX_TEXT] if exception else None,
                        retries=int(message.options.get("retries", 0)),
                    )
                )
                session.commit()
        except Exception:  # the database may be the very thing that is down
            log.exception("could not record the failure of message %s", message.message_id)


def record_run(app, name: str, started_at: datetime, detail: dict[str, Any]) -> None:
    with app.session() as session:
        session.add(JobRun(name=name, started_at=started_at, finished_at=utcnow(), detail=detail))
        session.commit()
