"""The `send_email` task (background queue, patient retries) and how an approval starts it."""

from __future__ import annotations

import logging

import dramatiq

from domain.notifications.views import Busy
from jobs.app import App
from jobs.mail.delivery import deliver

log = logging.getLogger(__name__)
BUSY_RETRY_MS = 5_000


def send_email(app: App, notification_id: str) -> str:
    """Send approved email `notification_id` exactly once; a no-op if it is already sent."""
    try:
        return deliver(app, notification_id)
    except Busy:
        raise dramatiq.Retry(delay=BUSY_RETRY_MS) from None


def queue_send(app: App, notification_id: str, *, inline: bool = False) -> str:
    """After approving: enqueue the send (the chat awaits it with `app.jobs.run` instead).
    `inline` (a CLI in embedded mode, where no worker runs) sends in this process; a temporary
    failure is then left to the periodic recovery (`follow_up_check` re-enqueues approved
    emails that were not sent)."""
    if not inline:
        app.jobs.send(send_email, notification_id)
        return "queued"
    try:
        return deliver(app, notification_id)
    except Exception as exc:
        log.warning("inline send of %s failed: %s", notification_id, exc)
        return "retry later"
