"""The send protocol for one approved email. Every step is safe to crash in and to retry:

    1. claim      APPROVED/SENDING -> SENDING with a lease (one worker at a time; a dead
                  worker's lease expires after GT_MAIL_SEND_LEASE_S)
    2. send       idempotent senders (outbox, Graph drafts) are simply called again on a retry;
                  for the others a hand-off mark is committed first, and a retry that finds it
                  flags the email FAILED "delivery uncertain" instead of sending a second copy
    3. record     SENT + the ROs' last/next update dates, one transaction (RepairOrderService)

Nothing is looked up in Sent Items afterwards. A crash between 2 and 3 makes the retry call
the idempotent sender again, which answers "already sent", and step 3 runs then.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from domain.models import utcnow
from domain.notifications.views import Claim
from integrations.mail.message import build_message
from integrations.mail.senders import NotSent, PermanentSendError, Sender
from jobs.app import App

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
UNCERTAIN = (
    "Delivery uncertain: an earlier attempt stopped while handing the message to {sender}, "
    "which cannot tell whether it went out. Check the shop's inbox or the Sent folder, then "
    "re-queue it only if it did not arrive."
)


def _no_fault(step: str) -> None:
    pass


def deliver(
    app: App,
    notification_id: str,
    *,
    sender: Sender | None = None,
    step: Callable[[str], None] = _no_fault,
) -> str:
    """Send one approved email if it still needs sending. Returns what happened: "sent",
    "nothing" (already sent, rejected...), "failed" or "uncertain". Raises for a retry on a
    temporary problem, or `Busy` while another worker holds the lease. `step` is called at
    each step ("claimed", "before_send", "after_send", "after_record"): tests simulate a crash
    exactly there."""
    service = app.notifications
    owner = uuid.uuid4().hex
    claim = service.claim(notification_id, owner, app.settings.mail_send_lease_s)
    if claim is None:
        return "nothing"
    sender = sender or app.mail_sender()
    try:
        step("claimed")
        message = build_message(claim, app.settings)
        if not claim.to:
            service.record_failed(claim, "No recipient.")
            return "failed"
        # The Message-ID a reply will point at: ours where the transport keeps it (outbox, SMTP);
        # Graph's own is remembered by its sender (draft flow) or unknown (sendMail).
        message_id = message["Message-ID"] if sender.keeps_message_id else None
        if not sender.idempotent:
            if claim.handoff_at is not None:
                service.record_failed(claim, UNCERTAIN.format(sender=sender.name))
                return "uncertain"
            service.remember(claim, handoff_at=utcnow(), sender=sender.name, message_id=message_id)
        step("before_send")
        try:
            reference = sender.send(claim, message, lambda **v: service.remember(claim, **v))
        except NotSent as exc:
            if not sender.idempotent:
                service.remember(claim, handoff_at=None)  # certainly not taken: may try again
            if exc.permanent:
                raise PermanentSendError(str(exc)) from None
            raise
        step("after_send")
        service.record_sent(
            claim, sender=sender.name, provider_ref=reference, message_id=message_id
        )
        step("after_record")
        return "sent"
    except PermanentSendError as exc:
        service.record_failed(claim, str(exc))
        return "failed"
    except Exception as exc:
        _give_back(service, claim, exc)
        raise


def _give_back(service, claim: Claim, exc: Exception) -> None:
    """A failed attempt frees the lease for the retry; after MAX_ATTEMPTS the email is FAILED
    (re-queueable) rather than retried for ever."""
    try:
        current = service.get(claim.id)
        if current.attempts >= MAX_ATTEMPTS:
            service.record_failed(claim, f"Gave up after {current.attempts} attempts: {exc}")
        else:
            service.release(claim)
    except Exception:  # the database may be what failed; the lease then simply expires
        log.warning("could not release the send lease of %s", claim.id, exc_info=True)
