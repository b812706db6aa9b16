"""The `send_email` actor (background queue, patient retries) and how approvals start it."""

from __future__ import annotations

import logging

import dramatiq

from bootstrap import App
from domain.notifications.views import Busy
from jobs import broker as _broker
from jobs.context import current_app
from jobs.mail.delivery import deliver
from jobs.policies import BACKGROUND

log = logging.getLogger(__name__)
BUSY_RETRY_MS = 5_000

_broker.current()  # bind to the configured broker, as jobs.actors does


@dramatiq.actor(**{**BACKGROUND, "time_limit": 120_000})
def send_email(notification_id: str) -> str:
    """Send approved email `notification_id` exactly once; a no-op if it is already sent."""
    try:
        return deliver(current_app(), notification_id)
    except Busy:
        raise dramatiq.Retry(delay=BUSY_RETRY_MS) from None


def queue_send(app: App, notification_id: str, *, inline: bool = False) -> str:
    """After approving: enqueue the send. `inline` (a CLI in embedded mode, where no worker
    runs) sends in this process; a temporary failure is then left to the periodic recovery
    (`follow_up_check` re-enqueues approved emails that were not sent)."""
    if not inline:
        import jobs.actors  # noqa: F401  (the actor list setup_broker re-binds)

        send_email.send(notification_id)
        return "queued"
    try:
        return deliver(app, notification_id)
    except Exception as exc:
        log.warning("inline send of %s failed: %s", notification_id, exc)
        return "retry later"
