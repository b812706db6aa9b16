"""The `poll_inbox` background task: read what is new in the desk's mailbox and ingest it (#16).

    poll_inbox(app)        every GT_INBOX_POLL_MIN minutes (jobs/scheduler.py), when GT_INBOX is
                           not off
    read_until_empty(app)  poll after poll until a poll reads nothing (`gt inbox poll`, and
                           `gt serve` before the chat opens)

One poll: the mailbox's cursor (Graph's delta link; the folder needs none) -> the new messages
-> each ingested (idempotent by Message-ID: a message read twice is stored once) and handed back
to the mailbox (the folder moves its file to processed/) -> only then the new cursor is stored.
A crash in between re-reads messages already stored, never skips one.

Throttling (429 with Retry-After) retries the whole poll after the delay Graph asked for; other
transient errors retry with the background policy; an auth error ends the poll and is noted on
the cursor row (`gt inbox status`) and in `job_failures`. A message whose ingestion fails for
good is noted and left for a person (the folder moves it to rejected/ with a note); the rest of
the page goes on.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from domain.models import MailboxCursor, utcnow
from domain.replies.directory import DirectoryCache
from integrations.errors import GraphAuthError, GraphRequestError, GraphThrottled
from integrations.mail.inbox import Inbox, Incoming
from jobs.app import App
from jobs.failures import record_run
from jobs.transient import is_transient

log = logging.getLogger(__name__)
MAX_RETRY_AFTER_MS = 10 * 60_000


def poll_inbox(app: App) -> dict[str, Any]:
    """Ingest what is new in the configured mailbox; answers the counts."""
    inbox = app.inbox()
    if inbox is None:
        return {"source": "off", "messages": 0}
    try:
        return _poll(app, inbox)
    finally:
        close = getattr(inbox, "close", None)
        if close is not None:
            close()


def read_until_empty(app: App, max_polls: int = 1000) -> dict[str, Any]:
    """Poll until a poll reads nothing (a full page means more are waiting), at most
    `max_polls` times; answers the summed counts and every failure."""
    done: dict[str, Any] = {"messages": 0, "new": 0, "already": 0, "proposals": 0, "failed": []}
    for _ in range(max_polls):
        detail = poll_inbox(app)
        for key in ("messages", "new", "already", "proposals"):
            done[key] += detail.get(key, 0)
        done["failed"] += detail.get("failed", [])
        done["source"] = detail.get("source")
        if not detail.get("messages"):  # nothing read (an inbox that is off reads nothing)
            break
    return done


def _poll(app: App, inbox: Inbox) -> dict[str, Any]:
    started = utcnow()
    cursor = _cursor(app, inbox)
    try:
        polled = inbox.poll(cursor)
    except GraphThrottled as exc:
        delay = int(min((exc.retry_after_s or 5) * 1000, MAX_RETRY_AFTER_MS))
        _note(app, inbox, f"throttled; retrying in {delay // 1000} s")
        raise dramatiq.Retry(delay=delay) from exc
    except (GraphAuthError, GraphRequestError) as exc:  # permanent: a person must act
        _note(app, inbox, str(exc))
        raise
    except Exception as exc:  # transient (network, 5xx): retried by the background policy
        _note(app, inbox, f"{type(exc).__name__}: {exc}")
        raise
    counts = {"messages": len(polled.messages), "new": 0, "already": 0, "proposals": 0}
    failed: list[dict[str, str]] = []
    cache = DirectoryCache()  # shops and contacts read once per page
    for incoming in polled.messages:
        try:
            result = app.replies.ingest(incoming, inbox.name, cache=cache)
        except Exception as exc:
            if is_transient(exc):
                raise  # the whole poll again: what was stored is recognised, the cursor stays
            log.exception("inbox: message %s could not be ingested", incoming.provider_id)
            failed.append(
                {"message": incoming.provider_id, "error": f"{type(exc).__name__}: {exc}"[:300]}
            )
            _set_aside(inbox, incoming, str(exc))
            continue
        counts["already" if result.already else "new"] += 1
        counts["proposals"] += len(result.proposals)
        inbox.done(incoming)
    _store_cursor(app, inbox, polled.cursor, failed)
    detail = {"source": inbox.name, **counts, "requests": polled.requests, "failed": failed}
    if polled.messages or failed:
        record_run(app, "poll_inbox", started, detail)
    batch = getattr(inbox, "batch", None)
    if batch and len(polled.messages) >= batch:  # a full page: more are waiting
        app.jobs.send(poll_inbox)
    return detail


def _set_aside(inbox: Inbox, incoming: Incoming, why: str) -> None:
    reject = getattr(inbox, "reject", None)
    if reject is not None:
        reject(incoming, f"could not be ingested: {why}")


def _cursor(app: App, inbox: Inbox) -> str | None:
    with app.session() as session:
        row = session.get(MailboxCursor, inbox.mailbox)
        return row.delta_link if row else None


def _store_cursor(app: App, inbox: Inbox, cursor: str | None, failed: list) -> None:
    with app.session() as session:
        row = session.get(MailboxCursor, inbox.mailbox)
        if row is None:
            row = MailboxCursor(mailbox=inbox.mailbox)
            session.add(row)
        if cursor is not None:
            row.delta_link = cursor
        row.polled_at = utcnow()
        row.error = (
            f"{len(failed)} message(s) not ingested: {failed[0]['error']}"[:500] if failed else None
        )
        session.commit()


def _note(app: App, inbox: Inbox, error: str) -> None:
    """The reason the last poll failed, on the cursor row; the cursor itself stays."""
    try:
        with app.session() as session:
            row = session.get(MailboxCursor, inbox.mailbox)
            if row is None:
                row = MailboxCursor(mailbox=inbox.mailbox)
                session.add(row)
            row.error = error[:500]
            session.commit()
    except Exception:  # the database may be what is down
        log.warning("inbox: could not note the error on the cursor", exc_info=True)
