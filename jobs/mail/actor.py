"""The `send_email` task (background queue, patient retries) and how an approval starts it."""

from __future__ import annotations

import logging
from datetime import timedelta

import dramatiq

from domain.notifications.views import Busy
from jobs.app import App
from jobs.mail.delivery import deliver

log = logging.getLogger(__name__)
BUSY_RETRY_MS = 5_000
RESEND_AFTER = timedelta(seconds=30)  # younger ones are most likely still on their way


def send_email(app: App, notification_id: str) -> str:
    """Send approved email `notification_id` exactly once; a no-op if it is already sent."""
    try:
        return deliver(app, notification_id)
    except Busy:
        raise dramatiq.Retry(delay=BUSY_RETRY_MS) from None


def recover_sends(app: App, older_than: timedelta = RESEND_AFTER) -> int:
    """Re-send approved emails that are neither sent nor being sent (their message was lost:
    a process killed, Redis restarted without persistence); the send lease makes a duplicate
    message harmless. Returns how many."""
    unsent = app.notifications.unsent(older_than)
    for notification_id in unsent:
        app.jobs.send(send_email, notification_id)
    if unsent:
        log.warning("re-sent %d approved email(s) not yet sent", len(unsent))
    return len(unsent)


def queue_send(app: App, notification_id: str, *, inline: bool = False) -> str:
    """After approving: enqueue the send (the chat awaits it with `app.jobs.run` instead).
    `inline` (a CLI in embedded mode, where no worker runs) sends in this process; a temporary
    failure is then left to the periodic recovery (`recover_sends`)."""
    if not inline:
        app.jobs.send(send_email, notification_id)
        return "queued"
    try:
        return deliver(app, notification_id)
    except Exception as exc:
        log.warning("inline send of %s failed: %s", notification_id, exc)
        return "retry later"
